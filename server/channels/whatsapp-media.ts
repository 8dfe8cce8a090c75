import { normaliseContentType } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';

/** The Cloud API message types that carry a media object. */
export type WhatsAppMediaType = 'image' | 'audio' | 'video' | 'document' | 'sticker';

/**
 * What the Cloud API accepts as outbound media, among the types protocol/attachments.ts lets an agent
 * attach. GIF, WebP (only as 512×512 stickers), WAV and vCard are not WhatsApp media; they are refused
 * before any upload rather than sent and failed by Meta.
 */
export const WHATSAPP_OUTBOUND_TYPES: Readonly<Record<string, Exclude<WhatsAppMediaType, 'sticker'>>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'audio/aac': 'audio',
  'audio/amr': 'audio',
  'audio/mpeg': 'audio',
  'audio/mp4': 'audio',
  'audio/ogg': 'audio',
  'video/mp4': 'video',
  'video/3gpp': 'video',
  'application/pdf': 'document',
  'text/plain': 'document',
};

const ACCEPTED_SUMMARY = 'images (JPEG, PNG), audio (AAC, AMR, MP3, M4A, OGG/Opus), video (MP4, 3GPP), PDF or plain-text documents';

/** One Cloud API send of an outbound message with attachments. */
export type WhatsAppPart =
  | { kind: 'text'; body: string }
  | { kind: 'media'; type: Exclude<WhatsAppMediaType, 'sticker'>; attachment: Attachment; caption: string | null; voice: boolean };

/**
 * How one outbound message with attachments goes out: a send per attachment; the body becomes the
 * caption of the first image/video/document, or (audio has no caption) a text sent first. Returns
 * why not when an attachment is not WhatsApp media: nothing may be sent then.
 */
export function planWhatsAppMediaSend(body: string, attachments: readonly Attachment[]): { parts: WhatsAppPart[] } | { error: string } {
  for (const a of attachments) {
    const type = normaliseContentType(a.contentType);
    if (!(type in WHATSAPP_OUTBOUND_TYPES)) {
      return { error: `WhatsApp does not accept ${type || 'untyped'} attachments (${a.name}); send ${ACCEPTED_SUMMARY}.` };
    }
  }
  const text = body.trim();
  const captionAt = text ? attachments.findIndex((a) => WHATSAPP_OUTBOUND_TYPES[normaliseContentType(a.contentType)] !== 'audio') : -1;
  const parts: WhatsAppPart[] = text && captionAt < 0 ? [{ kind: 'text', body }] : [];
  attachments.forEach((attachment, i) => {
    const contentType = normaliseContentType(attachment.contentType);
    const type = WHATSAPP_OUTBOUND_TYPES[contentType]!;
    // WhatsApp shows OGG/Opus audio as a voice note (play icon, transcript) only when flagged so.
    parts.push({ kind: 'media', type, attachment, caption: i === captionAt ? body : null, voice: contentType === 'audio/ogg' });
  });
  return { parts };
}

/** The stored name of an inbound media file: documents keep their filename, others get a plain one. */
export function inboundMediaName(type: WhatsAppMediaType, extension: string, options: { filename?: string | null; voice?: boolean } = {}): string {
  if (type === 'document' && options.filename) return options.filename;
  if (type === 'audio' && options.voice) return `voice-note.${extension}`;
  return `${type}.${extension}`;
}
