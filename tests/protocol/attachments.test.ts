import { describe, expect, it } from 'vitest';
import { attachmentContentType, attachmentExtension, attachmentFileError, attachmentSummary, isAllowedAttachmentType } from '../../protocol/attachments.ts';

describe('attachmentSummary', () => {
  it('names what a text-less message carries', () => {
    expect(attachmentSummary([])).toBe('');
    expect(attachmentSummary([{ name: 'Voice note 0:07.ogg', contentType: 'audio/ogg' }])).toBe('Voice note');
    expect(attachmentSummary([{ name: 'voice-note.ogg', contentType: 'audio/ogg; codecs=opus' }])).toBe('Voice note');
    expect(attachmentSummary([{ name: 'song.mp3', contentType: 'audio/mpeg' }])).toBe('Audio: song.mp3');
    expect(attachmentSummary([{ name: 'IMG_1.JPG', contentType: 'image/jpeg' }])).toBe('Photo');
    expect(attachmentSummary([{ name: 'clip.mp4', contentType: 'video/mp4' }])).toBe('Video');
    expect(attachmentSummary([{ name: 'invoice.pdf', contentType: 'application/pdf' }])).toBe('Attachment: invoice.pdf');
    expect(attachmentSummary([{ name: 'a.png', contentType: 'image/png' }, { name: 'b.pdf', contentType: 'application/pdf' }])).toBe('2 attachments');
  });
});

describe('allowed attachment types', () => {
  it('knows only its own types, never inherited object keys', () => {
    expect(isAllowedAttachmentType('image/png')).toBe(true);
    for (const sneaky of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(isAllowedAttachmentType(sneaky)).toBe(false);
      expect(attachmentExtension(sneaky)).toBe('bin');
      expect(attachmentFileError({ name: 'x', contentType: sneaky, size: 1 })).not.toBeNull();
    }
    expect(attachmentContentType('evil.constructor', 'constructor')).toBeNull();
    expect(attachmentExtension('audio/ogg')).toBe('ogg');
  });
});
