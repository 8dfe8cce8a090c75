import { ATTACHMENT_LIMITS, formatBytes, isAllowedAttachmentType, normaliseContentType } from '../../protocol/attachments.ts';
import type { Attachment } from '../../protocol/domain.ts';
import type { AttachmentFiles } from '../blobs/attachment-files.ts';
import type { Domain } from '../domain/domain.ts';
import type { InboundMessage, InboundResult } from '../domain/inbound.ts';
import type { ChannelAdapter } from './channel-adapter.ts';

/**
 * Inbound media, whichever provider sent them: a webhook names each file with its provider's
 * reference, the channel's adapter fetches it, and this module stores it as an attachment no message
 * carries yet, within protocol/attachments.ts limits; the message that stores it links it (or, when the
 * webhook was a retry of a stored message, it is removed).
 */

/** The provider could not serve a media file; the webhook answers 500 so the provider retries. */
export class MediaUnavailable extends Error {}

/** One inbound file: stored (not yet on a message), or left out for the reason named (`<name>: <why>`). */
export type StoredMedia = { file: Attachment } | { refused: string };

export interface InboundMediaOptions {
  /** The channel it came through (the file's uploader until a message links it). */
  channelId: string;
  /** The stored file's name, by its content type (the extension follows the type). */
  name(contentType: string): string;
  /** Bytes of the same message already stored: one message carries at most ATTACHMENT_LIMITS.maxTotalBytes. */
  storedBytes?: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * How long one provider request for media (a lookup, or a whole download) may take. A provider that hangs
 * must not hold the webhook forever: it gets a 500 and retries later.
 */
export const MEDIA_REQUEST_TIMEOUT_MS = 60_000;

/** The signal of one media request: the adapter's shutdown signal or the timeout, whichever comes first. */
export const mediaRequestSignal = (shutdown: AbortSignal, timeoutMs = MEDIA_REQUEST_TIMEOUT_MS): AbortSignal =>
  AbortSignal.any([shutdown, AbortSignal.timeout(timeoutMs)]);

const stopped = (signal: AbortSignal): string => (signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError' ? 'timed out' : 'was stopped');

/**
 * The body of a provider's media URL, requested on the first read. `what` names the file in errors;
 * the URL itself stays out of them (Meta's are signed).
 */
export async function* mediaDownload(url: string, headers: Record<string, string>, what: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const response = await fetch(url, { headers, signal }).catch(() => null);
  if (signal.aborted) throw new MediaUnavailable(`${what} ${stopped(signal)}`);
  if (!response?.ok || !response.body) throw new MediaUnavailable(`${what} answered ${response?.status ?? 'nothing'}`);
  try {
    yield* response.body as AsyncIterable<Uint8Array>;
  } catch (err) {
    throw new MediaUnavailable(signal.aborted ? `${what} ${stopped(signal)}` : `${what} broke off: ${errorText(err)}`);
  }
}

/**
 * Fetches one inbound file through its channel's adapter and stores it, not yet on a message.
 * A type the attachment rules do not allow is refused before the provider is asked (on the type the
 * webhook declared) or before a byte is read (on the type the provider states); a file over the
 * limit or empty is refused too, and nothing of it is kept. Throws MediaUnavailable when the
 * provider cannot serve the file.
 */
export async function storeInboundMedia<Ref extends { declaredType: string }>(
  store: AttachmentFiles,
  adapter: Pick<ChannelAdapter<Ref>, 'fetchMedia'>,
  ref: Ref,
  options: InboundMediaOptions,
): Promise<StoredMedia> {
  const refuse = (contentType: string, why: string): StoredMedia => ({ refused: `${options.name(contentType)}: ${why}` });
  const notAccepted = (contentType: string) => refuse(contentType, `type ${contentType || 'unknown'} is not accepted`);
  const declared = normaliseContentType(ref.declaredType);
  if (declared && !isAllowedAttachmentType(declared)) return notAccepted(declared);

  const media = await adapter.fetchMedia(ref);
  const contentType = normaliseContentType(media.contentType);
  if (!isAllowedAttachmentType(contentType)) return notAccepted(contentType);
  const room = ATTACHMENT_LIMITS.maxTotalBytes - (options.storedBytes ?? 0);
  const tooLarge = () => refuse(contentType, `over the ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)} limit`);
  if (media.size !== null && media.size > room) return tooLarge();

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of media.body) {
    size += chunk.length;
    // Leaving the loop cancels the download: the rest is never read.
    if (size > room) return tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  if (size === 0) return refuse(contentType, 'empty');
  const name = options.name(contentType);
  const file = await store.store({ name, contentType, conversationId: null, channelId: options.channelId, uploaderId: options.channelId }, [Buffer.concat(chunks)]);
  return { file: { id: file.id, name, contentType, size: file.size } };
}

/** The message text with the files left out named after it (“[not stored: …]”). */
export function withRefusedNote(text: string, refused: readonly string[]): string {
  return [text, refused.length ? `[not stored: ${refused.join('; ')}]` : ''].filter(Boolean).join('\n');
}

/**
 * domain.receiveInbound for a message whose media are stored: the transaction that creates the message links
 * them to it; when it was a retry of a message already stored, or storing throws, they are removed and the
 * error goes on (the webhook answers 500, the provider retries). `store` is absent only when no media were stored.
 */
export async function receiveInboundWithMedia(
  domain: Pick<Domain, 'receiveInbound'>,
  store: AttachmentFiles | undefined,
  input: InboundMessage & { attachments: Attachment[] },
): Promise<InboundResult> {
  const discardAll = async () => {
    for (const f of input.attachments) await store?.discard(f.id);
  };
  let result: InboundResult;
  try {
    result = await domain.receiveInbound(input);
  } catch (err) {
    await discardAll().catch(() => {});
    throw err;
  }
  if (!result.created) await discardAll();
  return result;
}
