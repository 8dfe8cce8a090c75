import { describe, expect, it } from 'vitest';
import { callOpener } from '../../../main/shell/call-opener.ts';

describe('the shell’s call opener (issue 10 §3)', () => {
  it('hands tel:+E164 and https softphone addresses to shell.openExternal and refuses anything else', async () => {
    const opened: string[] = [];
    const logs: string[] = [];
    const open = callOpener({ openExternal: async (url: string) => void opened.push(url) }, (l) => logs.push(l));
    await open('tel:+14155550123');
    await open('https://phone.example.com/dial?to=%2B14155550123');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'tel:+1;phone-context=evil', 'http://phone.example.com/', 'https://u:p@phone.example.com/']) {
      await expect(open(bad)).rejects.toThrow(/not allowed/);
    }
    expect(opened).toEqual(['tel:+14155550123', 'https://phone.example.com/dial?to=%2B14155550123']);
    expect(logs).toHaveLength(5);
  });
});
