import type { ContactDetail } from '../../../protocol/ipc.ts';
import { contactDetail } from '../queries/contacts.ts';
import { IpcFailure } from '../../ipc-router.ts';
import type { HistoryContext } from './history-context.ts';

/** What the panel says of a contact this device does not hold while the server cannot be asked. */
export const CONTACT_NOT_AVAILABLE_OFFLINE = 'Not available offline';

/** The contact panel lists this many of the contact's conversations (contacts.ts HISTORY_LIMIT is the cache's). */
const FETCHED = 50;
/** Asked again after this long (other agents' conversations with the contact may have begun meanwhile). */
const REFRESH_MS = 5 * 60_000;

/**
 * The contact panel with a partial cache: the contact's other conversations are asked of the server (once per
 * contact every few minutes) and cached before the panel is answered; offline, the cached ones are answered and
 * the panel says the rest is not available offline.
 */
export class ContactConversations {
  private readonly asked = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly ctx: HistoryContext) {}

  async detail(contactId: string): Promise<ContactDetail | null> {
    const local = contactDetail(this.ctx.cache, contactId);
    if (!local) return this.uncached(contactId);
    if (!this.ctx.online()) return this.ctx.marks.fill().done ? local : { ...local, historyNotAvailableOffline: true };
    const at = this.asked.get(contactId);
    if (at !== undefined && Date.now() - at < REFRESH_MS) return local;
    const outcome = await this.fetch(contactId);
    if (outcome === 'unreachable') return { ...local, historyNotAvailableOffline: true };
    return contactDetail(this.ctx.cache, contactId);
  }

  /**
   * A contact this device does not hold (its conversations are all outside the window): fetched with its
   * conversations. Offline it is refused as unavailable, so the panel says so instead of waiting.
   */
  private async uncached(contactId: string): Promise<ContactDetail | null> {
    if (!this.ctx.online()) throw new IpcFailure('unavailable', CONTACT_NOT_AVAILABLE_OFFLINE);
    const outcome = await this.fetch(contactId);
    if (outcome === 'unreachable') throw new IpcFailure('unavailable', CONTACT_NOT_AVAILABLE_OFFLINE);
    return contactDetail(this.ctx.cache, contactId);
  }

  private fetch(contactId: string): Promise<'ok' | 'unreachable' | 'refused'> {
    let outcome: 'ok' | 'unreachable' | 'refused' = 'ok';
    const running = this.inFlight.get(contactId);
    if (running) return running.then(() => outcome);
    const job = this.ctx
      .onDemand(async () => {
        const mark = this.ctx.writer.begin();
        try {
          const answer = await this.ctx.api.contactConversations(this.ctx.link(), { contactId, limit: FETCHED });
          if (!this.ctx.cache.db.open) return;
          const { changed } = this.ctx.writer.write(mark, answer.records);
          this.asked.set(contactId, Date.now());
          // The panel itself is answered below; only the lists may have grown.
          if (changed.conversationList) this.ctx.emitChanged({ sidebar: false, conversationList: true, conversations: [] });
        } catch (err) {
          this.ctx.writer.release(mark);
          outcome = this.ctx.failed(err, `conversations of contact ${contactId}`);
          if (outcome === 'refused') this.asked.set(contactId, Date.now());
        }
      })
      .finally(() => this.inFlight.delete(contactId));
    this.inFlight.set(contactId, job);
    return job.then(() => outcome);
  }
}
