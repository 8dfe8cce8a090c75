import { z } from 'zod';
import { DeliveryStatus, isId, isPairId } from '../../protocol/domain.ts';
import { isScope } from '../../protocol/scope.ts';
import { ChangeEntry, ServerFrame, SYNC_LIMITS } from '../../protocol/sync.ts';

/**
 * Validates a server frame (already JSON-parsed) against protocol/sync.ts.
 *
 * A catch-up is hundreds of `changes` frames of message / conversation / read-state puts, and
 * walking a zod union per entry cost ~1.5 s per million entries. Those three shapes get a
 * hand-written check here that accepts only what the zod schema accepts AND has no extra keys
 * (zod would strip them, so passing the entry through unchanged yields the same value). Anything
 * the fast check does not accept — another entity, an attachment, a bad value — is judged by the
 * zod schema itself (a failing frame is re-judged whole, so its error reads exactly as before).
 */
export type ParsedServerFrame = { success: true; data: ServerFrame } | { success: false; error: z.ZodError };

const ChangesEnvelope = z.object({
  type: z.literal('changes'),
  entries: z.array(z.unknown()).max(SYNC_LIMITS.maxBatch),
  cursor: z.number().int().nonnegative(),
  caughtUp: z.boolean(),
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyCount = (o: Obj): number => {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
};
const isIdOrNull = (v: unknown): boolean => v === null || isId(v);
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
/** protocol Timestamp; safe integers only (stricter than or equal to zod's int()). */
const isTime = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTimeOrNull = (v: unknown): boolean => v === null || isTime(v);
const DELIVERY = new Set<unknown>(DeliveryStatus.options);

function isMessage(r: Obj): boolean {
  return (
    keyCount(r) === 11 &&
    isId(r.id) &&
    isId(r.conversationId) &&
    (r.direction === 'in' || r.direction === 'out') &&
    (r.authorType === 'user' || r.authorType === 'contact' || r.authorType === 'system') &&
    isIdOrNull(r.authorId) &&
    typeof r.body === 'string' &&
    // Attachments are rare: any goes through zod.
    Array.isArray(r.attachments) &&
    r.attachments.length === 0 &&
    DELIVERY.has(r.status) &&
    isStringOrNull(r.statusReason) &&
    isStringOrNull(r.providerId) &&
    isTime(r.createdAt)
  );
}

function allIds(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (!isId(x)) return false;
  return true;
}

function allStrings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'string') return false;
  return true;
}

function isConversation(r: Obj): boolean {
  const hasPrevious = Object.hasOwn(r, 'previousOfChannelId');
  return (
    keyCount(r) === (hasPrevious ? 14 : 13) &&
    (!hasPrevious || isIdOrNull(r.previousOfChannelId)) &&
    isId(r.id) &&
    isId(r.inboxId) &&
    isId(r.channelId) &&
    isIdOrNull(r.contactId) &&
    typeof r.customerAddress === 'string' &&
    (r.status === 'open' || r.status === 'closed') &&
    isIdOrNull(r.assigneeId) &&
    allStrings(r.tags) &&
    isTime(r.createdAt) &&
    isTimeOrNull(r.closedAt) &&
    isTimeOrNull(r.lastMessageAt) &&
    typeof r.lastMessagePreview === 'string' &&
    allIds(r.participantIds)
  );
}

function isUserState(r: Obj): boolean {
  return (
    keyCount(r) === 5 &&
    isPairId(r.id) &&
    isId(r.conversationId) &&
    isId(r.userId) &&
    isTimeOrNull(r.readAt) &&
    typeof r.archived === 'boolean'
  );
}

/** True only for a put entry of a hot shape that the protocol schema accepts unchanged. */
function isFastEntry(e: unknown): boolean {
  if (!isObj(e) || e.op !== 'put' || keyCount(e) !== 5) return false;
  const { seq, scope, record } = e;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return false;
  if (typeof scope !== 'string' || !isScope(scope) || !isObj(record)) return false;
  switch (e.entity) {
    case 'message':
      return isMessage(record);
    case 'conversation':
      return isConversation(record);
    case 'conversationUserState':
      return isUserState(record);
    default:
      return false;
  }
}

export function parseServerFrame(json: unknown): ParsedServerFrame {
  if (isObj(json) && json.type === 'changes') {
    const envelope = ChangesEnvelope.safeParse(json);
    if (envelope.success) {
      const { entries, cursor, caughtUp } = envelope.data;
      const out: ChangeEntry[] = [];
      let ok = true;
      for (const e of entries) {
        if (isFastEntry(e)) {
          out.push(e as ChangeEntry);
          continue;
        }
        const parsed = ChangeEntry.safeParse(e);
        if (!parsed.success) {
          ok = false;
          break;
        }
        out.push(parsed.data);
      }
      if (ok) return { success: true, data: { type: 'changes', entries: out, cursor, caughtUp } };
    }
  }
  // Everything else — and any frame with one entry the fast check declined — is judged by zod.
  return ServerFrame.safeParse(json);
}
