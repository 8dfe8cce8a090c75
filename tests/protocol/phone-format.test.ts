import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatAddress, formatPhone } from '../../protocol/phone-format.ts';
import * as rendererFormat from '../../renderer/format.ts';

describe('phone formatting shared by the renderer and the client core', () => {
  it('formats E.164 numbers internationally, keeping the country code', () => {
    expect(formatPhone('+15035550142')).toBe('+1 503 555 0142');
    expect(formatAddress('+442071838750')).toBe('+44 20 7183 8750');
  });

  it('is the very function the renderer uses (one formatter)', () => {
    expect(rendererFormat.formatPhone).toBe(formatPhone);
    expect(rendererFormat.formatAddress).toBe(formatAddress);
  });

  test.prop([fc.string()])('never throws; what is not a phone number stays as it is', (address) => {
    const shown = formatAddress(address);
    if (!address.startsWith('+')) expect(shown).toBe(address);
  });

  test.prop([fc.stringMatching(/^\+1[2-9]\d{2}[2-9]\d{6}$/)])('keeps every digit of a number, in order', (e164) => {
    expect(formatPhone(e164).replace(/\D/g, '')).toBe(e164.replace(/\D/g, ''));
  });
});
