import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../protocol/domain.ts';
import { inboundMediaName, planWhatsAppMediaSend } from '../../../server/channels/whatsapp-media.ts';

const file = (name: string, contentType: string): Attachment => ({ id: `att_${name.replace(/\W/g, '')}`, name, contentType, size: 10 });

describe('planWhatsAppMediaSend', () => {
  it('puts the body on the first image, video or document as its caption', () => {
    const photo = file('a.jpg', 'image/jpeg');
    const clip = file('b.mp4', 'video/mp4');
    expect(planWhatsAppMediaSend('Look', [photo, clip])).toEqual({
      parts: [
        { kind: 'media', type: 'image', attachment: photo, caption: 'Look', voice: false },
        { kind: 'media', type: 'video', attachment: clip, caption: null, voice: false },
      ],
    });
    const voice = file('v.ogg', 'audio/ogg');
    const pdf = file('c.pdf', 'application/pdf');
    expect(planWhatsAppMediaSend('Both', [voice, pdf])).toEqual({
      parts: [
        { kind: 'media', type: 'audio', attachment: voice, caption: null, voice: true },
        { kind: 'media', type: 'document', attachment: pdf, caption: 'Both', voice: false },
      ],
    });
  });

  it('sends the text first when only audio can carry it, and nothing extra without text', () => {
    const mp3 = file('song.mp3', 'audio/mpeg');
    expect(planWhatsAppMediaSend('Hear this', [mp3])).toEqual({
      parts: [
        { kind: 'text', body: 'Hear this' },
        { kind: 'media', type: 'audio', attachment: mp3, caption: null, voice: false },
      ],
    });
    expect(planWhatsAppMediaSend('  ', [mp3])).toEqual({ parts: [{ kind: 'media', type: 'audio', attachment: mp3, caption: null, voice: false }] });
  });

  it('refuses a type WhatsApp does not take, naming it, whatever else is attached', () => {
    for (const [name, type] of [
      ['rec.wav', 'audio/wav'],
      ['anim.gif', 'image/gif'],
      ['card.vcf', 'text/vcard'],
      ['pic.webp', 'image/webp'],
    ] as const) {
      const result = planWhatsAppMediaSend('x', [file('ok.png', 'image/png'), file(name, type)]);
      expect(result).toEqual({ error: expect.stringMatching(new RegExp(`^WhatsApp does not accept ${type.replace('/', '\\/')} attachments \\(${name.replace('.', '\\.')}\\)`)) });
    }
  });

  it('treats content type parameters and case as the bare type', () => {
    const plan = planWhatsAppMediaSend('', [file('v.ogg', 'Audio/OGG; codecs=opus')]);
    expect(plan).toMatchObject({ parts: [{ kind: 'media', type: 'audio', voice: true }] });
  });
});

describe('inboundMediaName', () => {
  it('names voice notes, documents by filename, and other media by their type', () => {
    expect(inboundMediaName('audio', 'ogg', { voice: true })).toBe('voice-note.ogg');
    expect(inboundMediaName('audio', 'mp3', { voice: false })).toBe('audio.mp3');
    expect(inboundMediaName('document', 'pdf', { filename: 'invoice.pdf' })).toBe('invoice.pdf');
    expect(inboundMediaName('document', 'pdf')).toBe('document.pdf');
    expect(inboundMediaName('image', 'jpg', { filename: 'ignored.png' })).toBe('image.jpg');
    expect(inboundMediaName('sticker', 'webp')).toBe('sticker.webp');
  });
});
