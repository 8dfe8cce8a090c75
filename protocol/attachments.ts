/**
 * SPEC (18) / §4 attachments: what may be attached to a message, checked by the client before
 * upload and by the server again (on upload and on message.send). MMS carriers cap a message at
 * about 5 MB and 10 files, so those are the limits for every channel.
 */
export const ATTACHMENT_LIMITS = {
  maxFiles: 10,
  /** Total of one message, and so also the most one file may weigh. */
  maxTotalBytes: 5 * 1024 * 1024,
} as const;

/** Allowed content types (lowercase, no parameters), with the extensions a picked file may have. */
export const ATTACHMENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'audio/mpeg': ['mp3'],
  'audio/mp4': ['m4a'],
  'audio/aac': ['aac'],
  'audio/ogg': ['ogg', 'opus'],
  'audio/amr': ['amr'],
  'audio/wav': ['wav'],
  'video/mp4': ['mp4'],
  'video/3gpp': ['3gp'],
  'text/vcard': ['vcf', 'vcard'],
  'text/x-vcard': [],
  'text/plain': ['txt'],
};

export const ATTACHMENT_ACCEPT = Object.keys(ATTACHMENT_TYPES).join(',');

/** Whether a normalised type may be attached (own keys only: "constructor" is not a file type). */
export const isAllowedAttachmentType = (type: string): boolean => Object.hasOwn(ATTACHMENT_TYPES, type);

/** The usual extension of an allowed type, for naming a file the provider sent without a name. */
export const attachmentExtension = (type: string): string => (isAllowedAttachmentType(type) ? ATTACHMENT_TYPES[type]?.[0] : undefined) ?? 'bin';

/** "image/PNG; charset=x" → "image/png". */
export function normaliseContentType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The type to use for a picked file: its declared type when allowed, else the one its extension names. */
export function attachmentContentType(name: string, declared: string): string | null {
  const type = normaliseContentType(declared);
  if (isAllowedAttachmentType(type)) return type;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase();
  if (!ext) return null;
  for (const [t, exts] of Object.entries(ATTACHMENT_TYPES)) if (exts.includes(ext)) return t;
  return null;
}

export const isPreviewableImage = (contentType: string): boolean =>
  ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(normaliseContentType(contentType));

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Why one file cannot be attached, or null. The renderer passes its own size formatter (the person's locale). */
export function attachmentFileError(file: { name: string; contentType: string; size: number }, size: (bytes: number) => string = formatBytes): string | null {
  if (!isAllowedAttachmentType(normaliseContentType(file.contentType))) {
    return `${file.name} cannot be sent: attach images (JPEG, PNG, GIF, WebP), PDF, audio, video (MP4, 3GPP), vCard or plain text.`;
  }
  if (file.size <= 0) return `${file.name} is empty.`;
  if (file.size > ATTACHMENT_LIMITS.maxTotalBytes) {
    return `${file.name} is ${size(file.size)}; a message can carry at most ${size(ATTACHMENT_LIMITS.maxTotalBytes)}.`;
  }
  return null;
}

/** Why this set of files cannot go in one message, or null. */
export function attachmentSetError(files: readonly { name: string; contentType: string; size: number }[]): string | null {
  if (files.length > ATTACHMENT_LIMITS.maxFiles) return `A message can carry at most ${ATTACHMENT_LIMITS.maxFiles} attachments.`;
  for (const f of files) {
    const e = attachmentFileError(f);
    if (e) return e;
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
    return `These attachments total ${formatBytes(total)}; a message can carry at most ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)}.`;
  }
  return null;
}

/** Attachment ids the client made up before upload; the server's are `att_` + 32 hex digits. */
export const LOCAL_ATTACHMENT_PREFIX = 'local-';
export const SERVER_ATTACHMENT_ID = /^att_[0-9a-f]{32}$/;

/** What a list row or a notification says for a message that has files and no text. */
export function attachmentSummary(files: readonly { name: string; contentType: string }[]): string {
  const [only] = files;
  if (!only) return '';
  if (files.length > 1) return `${files.length} attachments`;
  const type = normaliseContentType(only.contentType);
  if (type.startsWith('audio/')) return /voice/i.test(only.name) || type === 'audio/ogg' ? 'Voice note' : `Audio: ${only.name}`;
  if (type.startsWith('image/')) return 'Photo';
  if (type.startsWith('video/')) return 'Video';
  return `Attachment: ${only.name}`;
}
