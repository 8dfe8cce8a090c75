import { formatFileSize } from '../../renderer/format.ts';
import { describe, expect, it } from 'vitest';
import { pickedFileError, totalError } from '../../renderer/attachments.ts';

const MB = 1024 * 1024;

describe('attachment checks in the composer (before a byte is read)', () => {
  it('accepts the MMS types, by declared type or by extension', () => {
    expect(pickedFileError({ name: 'a.png', type: 'image/png', size: 10 })).toBeNull();
    expect(pickedFileError({ name: 'scan.PDF', type: '', size: 10 })).toBeNull();
    expect(pickedFileError({ name: 'card.vcf', type: 'text/x-vcard', size: 10 })).toBeNull();
    expect(pickedFileError({ name: 'clip.3gp', type: 'video/3gpp', size: 10 })).toBeNull();
  });

  it('refuses other types, empty files and files over 5 MB with the reason', () => {
    expect(pickedFileError({ name: 'tool.exe', type: 'application/x-msdownload', size: 10 })).toMatch(/tool\.exe cannot be sent/);
    expect(pickedFileError({ name: 'logo.svg', type: 'image/svg+xml', size: 10 })).toMatch(/cannot be sent/);
    expect(pickedFileError({ name: 'a.txt', type: 'text/plain', size: 0 })).toMatch(/empty/);
    expect(pickedFileError({ name: 'tour.mp4', type: 'video/mp4', size: 6 * MB })).toBe(`tour.mp4 is ${formatFileSize(6 * MB)}; a message can carry at most ${formatFileSize(5 * MB)}.`);
  });

  it('keeps a message within 10 files and 5 MB in total', () => {
    const file = (size: number) => ({ id: 'x', name: 'x.png', contentType: 'image/png', size });
    expect(totalError([file(3 * MB)], { size: 1 * MB })).toBeNull();
    expect(totalError([file(3 * MB)], { size: 3 * MB })).toBe(`Attachments of one message may total at most ${formatFileSize(5 * MB)}; these would be ${formatFileSize(6 * MB)}.`);
    expect(totalError(Array.from({ length: 10 }, () => file(1)), { size: 1 })).toMatch(/at most 10 attachments/);
  });
});
