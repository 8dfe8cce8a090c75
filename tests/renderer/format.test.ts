import { describe, expect, it } from 'vitest';
import { channelLabel, countOf, deliveryLabel, formatAddress, formatCount, formatFileSize, formatDuration, formatPhone } from '../../renderer/format.ts';

describe('one formatter for names and numbers', () => {
  it('formats phone numbers internationally and leaves other addresses alone', () => {
    expect(formatPhone('+14155550170')).toBe('+1 415 555 0170');
    expect(formatAddress('+442071838750')).toBe('+44 20 7183 8750');
    expect(formatAddress('visitor-1080')).toBe('visitor-1080');
  });

  it('labels a phone channel by name and number, a web chat by name', () => {
    expect(channelLabel({ name: 'Sam Rivera’s number', kind: 'sms', address: '+14155550170' })).toBe('Sam Rivera’s number · +1 415 555 0170');
    expect(channelLabel({ name: 'Sales web chat', kind: 'webchat', address: 'widget-sales' })).toBe('Sales web chat');
  });

  it('groups counts', () => {
    expect(formatCount(7)).toBe('7');
    expect(formatCount(100000)).toMatch(/^100.000$/);
  });

  it('counts and file sizes follow the person’s locale', () => {
    expect(formatCount(1234567, 'en-US')).toBe('1,234,567');
    expect(formatCount(1234567, 'de-DE')).toBe('1.234.567');
    expect(formatCount(1234567, 'fr-FR')).toMatch(/^1\s234\s567$/);
    expect(countOf(1, 'change', 'changes', 'en-US')).toBe('1 change');
    expect(countOf(5300, 'conversation', 'conversations', 'de-DE')).toBe('5.300 conversations');
    expect(formatFileSize(512, 'en-US')).toBe('512 byte');
    expect(formatFileSize(12.4 * 1024, 'en-US')).toBe('12 kB');
    expect(formatFileSize(4.25 * 1024 * 1024, 'en-US')).toBe('4.3 MB');
    expect(formatFileSize(4.25 * 1024 * 1024, 'de-DE')).toBe('4,3 MB');
    expect(formatFileSize(4.25 * 1024 * 1024, 'fr-FR')).toMatch(/^4,3\s+Mo$/);
  });

  it('a moved private number reads as its owner’s, with its number, in every menu', () => {
    expect(channelLabel({ name: 'Sam Rivera’s number', kind: 'sms', address: '+14155550170' })).not.toMatch(/my number/i);
  });
});

describe('status words', () => {
  it('say a reply waiting offline is queued, and "Sending…" only while a send can be under way', () => {
    expect(deliveryLabel('pending', false)).toBe('Queued — sends when back online');
    expect(deliveryLabel('pending', true)).toBe('Sending…');
    expect(deliveryLabel('sending', true)).toBe('Sending…');
    expect(deliveryLabel('delivered', false)).toBe('Delivered');
  });
});

describe('channel names with their kind', () => {
  it('says the kind only when the name does not', async () => {
    const { channelNameWithKind, channelOptionLabel } = await import('../../renderer/format.ts');
    expect(channelNameWithKind({ name: 'Sales WhatsApp', kind: 'whatsapp' })).toBe('Sales WhatsApp');
    expect(channelNameWithKind({ name: 'Sam Rivera’s number', kind: 'sms' })).toBe('Sam Rivera’s number (SMS)');
    expect(channelOptionLabel({ name: 'Sales SMS', kind: 'sms', address: '+14155550100' })).toBe('Sales SMS · +1 415 555 0100');
    expect(channelOptionLabel({ name: 'Sam Rivera’s number', kind: 'sms', address: '+14155550170' })).toBe('Sam Rivera’s number · +1 415 555 0170 (SMS)');
  });
});

describe('durations (waits, response times, time in a status)', () => {
  it('short: the two largest units in the locale, never a fraction', () => {
    expect([0, 45_000, 45_400, 200_000, 7_500_000, 3_600_000, (3 * 24 + 4) * 3_600_000].map((ms) => formatDuration(ms, 'short', 'en-US'))).toEqual([
      '0 sec',
      '45 sec',
      '45 sec',
      '3 min, 20 sec',
      '2 hr, 5 min',
      '1 hr',
      '3 days, 4 hr',
    ]);
    expect(formatDuration(-5000, 'short', 'en-US')).toBe('0 sec');
    expect(formatDuration(Number.NaN, 'short', 'en-US')).toBe('0 sec');
  });
  it('clock: a live ticker; a length below zero (a clock ahead of the server) reads as zero', () => {
    expect(formatDuration(45_000, 'clock')).toBe('0:45');
    expect(formatDuration(185_999, 'clock')).toBe('3:05');
    expect(formatDuration(3_727_000, 'clock')).toBe('1:02:07');
    expect(formatDuration(-5_000, 'clock')).toBe('0:00');
  });
});
