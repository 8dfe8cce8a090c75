import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../../../protocol/ipc.ts';
import type { Scope } from '../../../protocol/scope.ts';
import { IpcFailure } from '../../../main/ipc-router.ts';
import { NotificationService } from '../../../main/core/notifications.ts';
import { workflowIpcHandlers } from '../../../main/core/workflow-actions.ts';
import { changes, channel, conversation, harness, inbox, ME, message, OTHER, put, seedWorkspace, user, type Harness } from './fixtures.ts';

/**
 * A private number moved into a shared inbox, as a member other than its owner holds it: the server renamed
 * it for its owner ("Olga Other’s number"), and everything the client core words itself names it by that and
 * its number, never "My number" nor "my texting number".
 */

const SUPPORT: Scope = 'inbox:inbox_s';
let h: Harness;

beforeEach(() => {
  h = harness();
  seedWorkspace(h);
  h.applier.apply(
    changes([
      put(h.seq(), SUPPORT, 'inbox', inbox('inbox_s', { name: 'Support' })),
      put(h.seq(), SUPPORT, 'inboxMember', { id: `inbox_s:${ME}`, inboxId: 'inbox_s', userId: ME }),
      // Olga's private number, moved into Support: its only SMS channel, beside a WhatsApp one.
      put(h.seq(), SUPPORT, 'channel', { ...channel('pn_olga', 'inbox_s'), name: 'Olga Other’s number', address: '+14155550170' }),
      put(h.seq(), SUPPORT, 'channel', { ...channel('ch_s_wa', 'inbox_s'), kind: 'whatsapp', name: 'Support WhatsApp', address: '+14155550199' }),
      put(h.seq(), SUPPORT, 'conversation', conversation('c_moved', { inboxId: 'inbox_s', channelId: 'pn_olga', customerAddress: '+14155550123' })),
    ]),
  );
});
afterEach(() => h.cleanup());

describe('a moved private number, for a member who does not own it', () => {
  it('the WhatsApp refusal offers it by its owner’s name and its formatted number', () => {
    const handlers = workflowIpcHandlers({ session: () => ({ cache: h.cache, user: user(ME, 'Me Myself', 'manager') }), enqueue: () => {} });
    let refusal: unknown;
    try {
      handlers['actions.createConversation']({ channelId: 'ch_s_wa', contactId: null, number: '+14155550123', body: 'Hi' });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(IpcFailure);
    const text = (refusal as IpcFailure).message;
    expect(text).toContain('Send it by SMS from Olga Other’s number · +1 415 555 0170 instead.');
    expect(text).not.toMatch(/my number/i);
  });

  it('a notification of a message on it names the customer and the shared inbox, never “my texting number”', () => {
    const shown: NotificationPayload[] = [];
    const service = new NotificationService(h.cache, { notify: (n) => shown.push(n) }, 1);
    const entries = [put(h.seq(), SUPPORT, 'message', message('m_moved', 'c_moved', { createdAt: 5000, body: 'Is my order ready?' }))];
    h.applier.apply(changes(entries));
    service.consider(entries);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.title).toBe('+1 415 555 0123 · Support');
    expect(`${shown[0]?.title} ${shown[0]?.body}`).not.toMatch(/my (texting )?number/i);
  });

  it('while it is still private, its owner’s notification says “my texting number”', () => {
    h.applier.apply(
      changes([
        put(h.seq(), `inbox:private_${ME}` as Scope, 'inbox', inbox(`private_${ME}`, { name: 'Private', kind: 'private' })),
        put(h.seq(), `inbox:private_${ME}` as Scope, 'channel', { ...channel('pn_me', `private_${ME}`), name: 'My number', address: '+14155550171' }),
        put(h.seq(), `inbox:private_${ME}` as Scope, 'conversation', conversation('c_private', { inboxId: `private_${ME}`, channelId: 'pn_me' })),
      ]),
    );
    const shown: NotificationPayload[] = [];
    const service = new NotificationService(h.cache, { notify: (n) => shown.push(n) }, 1);
    const entries = [put(h.seq(), `inbox:private_${ME}` as Scope, 'message', message('m_private', 'c_private', { createdAt: 5000 }))];
    h.applier.apply(changes(entries));
    service.consider(entries);
    expect(shown[0]?.title).toBe('+1 415 555 0123 · my texting number');
    expect(OTHER).not.toBe(ME);
  });
});
