import { attachmentContentType, attachmentFileError, ATTACHMENT_LIMITS } from '../protocol/attachments.ts';
import { formatFileSize } from './format.ts';
import type { Attachment } from '../protocol/domain.ts';
import { getApi } from './api/index.ts';

export interface PickedFile {
  name: string;
  contentType: string;
  dataBase64: string;
}

/**
 * Checks a picked file (type, then size) before a byte of it is read, so an oversize video is
 * refused at once with the reason; main checks again, and the server a third time.
 */
export function pickedFileError(file: Pick<File, 'name' | 'type' | 'size'>): string | null {
  const contentType = attachmentContentType(file.name, file.type) ?? (file.type || 'unknown type');
  return attachmentFileError({ name: file.name, contentType, size: file.size }, (bytes) => formatFileSize(bytes));
}

export function totalError(current: readonly Attachment[], adding: Pick<File, 'size'>): string | null {
  if (current.length >= ATTACHMENT_LIMITS.maxFiles) return `A message can carry at most ${ATTACHMENT_LIMITS.maxFiles} attachments.`;
  const total = current.reduce((n, a) => n + a.size, 0) + adding.size;
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
    return `Attachments of one message may total at most ${formatFileSize(ATTACHMENT_LIMITS.maxTotalBytes)}; these would be ${formatFileSize(total)}.`;
  }
  return null;
}

export function readPickedFile(file: File): Promise<PickedFile> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`${file.name} could not be read.`));
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ name: file.name, contentType: attachmentContentType(file.name, file.type) ?? file.type, dataBase64: url.slice(url.indexOf(',') + 1) });
    };
    reader.readAsDataURL(file);
  });
}

/**
 * Where the page loads an attachment from. In the browser host, its own origin proxies
 * /attachments/<id> through main (which holds the session token; the page only its host token).
 * In Electron, null: the bytes come over IPC and are shown from a blob: URL.
 */
export function hostAttachmentUrl(id: string, location: Pick<Location, 'search'> = window.location): string | null {
  if (window.switchboard) return null;
  const token = new URLSearchParams(location.search).get('token');
  return token ? `/attachments/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}` : null;
}

/** An object URL of the attachment's bytes (Electron, or a host without a token). */
export async function attachmentBlobUrl(id: string): Promise<string | null> {
  const result = await getApi().invoke('attachments.read', { id });
  if (!result.ok) return null;
  const bytes = Uint8Array.from(atob(result.value.dataBase64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: result.value.contentType }));
}
