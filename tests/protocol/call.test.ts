import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { callableNumber, callUrl, isCallUrl, SoftphoneUrlTemplate } from '../../protocol/call.ts';

const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
/** Anything a person (or an attacker) could type as a template: real-looking ones, schemes, placeholders in odd places. */
const anyTemplate = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'javascript:', 'tel:', 'file:///', 'HTTPS://', 'https://user:pw@', '//', ''),
      fc.constantFrom('phone.example.com', '{number}', 'a.com{number}', 'example.com:8443', '{number}.evil.test', ''),
      fc.constantFrom('/dial?to=', '/', '?n=', '#', '/{number}/', '@evil.test/', ''),
      fc.constantFrom('{number}', '', '{number}&x={number}', '{NUMBER}'),
      fc.string({ maxLength: 12 }),
    )
    .map((parts) => parts.join('')),
);

describe('call URLs (issue 10 §3: Call the contact)', () => {
  it('hands the number to the phone handler as tel:, or fills an admin’s https template with it encoded', () => {
    expect(callUrl('+14155550123', null)).toBe('tel:+14155550123');
    expect(callUrl('+14155550123', 'https://phone.example.com/dial?to={number}')).toBe('https://phone.example.com/dial?to=%2B14155550123');
    expect(callUrl('+14155550123', 'https://phone.example.com/{number}#{number}')).toBe('https://phone.example.com/%2B14155550123#%2B14155550123');
    // A template that is not acceptable falls back to the phone handler rather than opening it.
    expect(callUrl('+14155550123', 'http://phone.example.com/dial?to={number}')).toBe('tel:+14155550123');
    expect(() => callUrl('visitor-123', null)).toThrow(/E\.164/);
  });

  it('refuses templates that are not https, lack {number}, carry credentials or let the number pick the host', () => {
    const problem = (t: string) => {
      const parsed = SoftphoneUrlTemplate.safeParse(t);
      return parsed.success ? null : parsed.error.issues[0]?.message;
    };
    expect(problem('https://phone.example.com/dial?to={number}')).toBeNull();
    expect(problem('http://phone.example.com/dial?to={number}')).toMatch(/https/);
    expect(problem('https://phone.example.com/dial')).toMatch(/\{number\}/);
    expect(problem('https://u:p@phone.example.com/?to={number}')).toMatch(/user name or password/);
    expect(problem('https://{number}.example.com/')).toBeTruthy();
    expect(problem('https://example.com{number}')).toBeTruthy();
    expect(problem('javascript:alert({number})')).toMatch(/https/);
  });

  it('finds the number to call: the customer’s, else the linked contact’s', () => {
    expect(callableNumber('+14155550123', ['+12065550100'])).toBe('+14155550123');
    expect(callableNumber('visitor-1', ['not a number', '+12065550100'])).toBe('+12065550100');
    expect(callableNumber('visitor-1', [])).toBeNull();
  });

  test.prop([e164, fc.option(anyTemplate, { nil: null })])('never yields a URL outside the allowlist, whatever the template', (number, template) => {
    const url = callUrl(number, template);
    expect(isCallUrl(url)).toBe(true);
    if (url.startsWith('tel:')) expect(url).toBe(`tel:${number}`);
    else {
      // https only from an accepted template, and the host is the template's: the number cannot move it.
      const accepted = SoftphoneUrlTemplate.parse(template);
      expect(new URL(url).protocol).toBe('https:');
      expect(new URL(url).host).toBe(new URL(accepted.split('{number}').join('0')).host);
      expect(url).toContain(encodeURIComponent(number));
    }
  });

  test.prop([fc.string({ maxLength: 120 })])('the shell’s check accepts only tel:+E164 and credential-free https', (raw) => {
    if (!isCallUrl(raw)) return;
    if (raw.startsWith('tel:')) expect(raw).toMatch(/^tel:\+[1-9]\d{6,14}$/);
    else expect(new URL(raw).protocol).toBe('https:');
  });

  it('the shell’s check refuses other schemes and tel: parameters', () => {
    for (const bad of ['javascript:alert(1)', 'http://example.com', 'tel:+14155550123;phone-context=x', 'tel:123', 'file:///etc/passwd', 'https://u:p@example.com/', 'sms:+14155550123']) {
      expect(isCallUrl(bad)).toBe(false);
    }
  });
});
