import type { EntityOf } from '../../protocol/domain.ts';
import type { ContactFields, MutationArgs } from '../../protocol/mutations.ts';
import { deleteRecord, putRecord, scopeOf } from './change-log.ts';
import { reject } from './errors.ts';
import type { MutationContext } from './mutation-handlers.ts';
import { recordId } from '../../protocol/scope.ts';

/**
 * Contact mutations (SPEC (4), (14), (20)). Shared contacts belong to the
 * organisation: any active user of it may create and edit them. Private ones
 * belong to their owner alone; to anyone else they do not exist, so refusals
 * say "not found" rather than revealing them.
 */

const NOT_FOUND = 'This contact does not exist or is private to someone else.';

/** A contact the actor may see: shared in their organisation, or their own private one. */
async function visibleContact(ctx: MutationContext, contactId: string): Promise<EntityOf<'contact'>> {
  const contact = await ctx.tx.get('contact', contactId);
  if (!contact || contact.orgId !== ctx.actor.orgId) return reject('not_found', NOT_FOUND);
  if (contact.ownerId !== null && contact.ownerId !== ctx.actor.id) return reject('not_found', NOT_FOUND);
  return contact;
}

/** Duplicates and blanks are the client's slip, not a reason to refuse: store the clean form. */
function clean(fields: ContactFields): Omit<EntityOf<'contact'>, 'id' | 'orgId' | 'ownerId' | 'smsOptOut'> {
  const blank = (v: string | null): string | null => (v === null || v.trim() === '' ? null : v);
  return {
    name: fields.name.trim(),
    phones: [...new Set(fields.phones)],
    email: blank(fields.email),
    company: blank(fields.company),
    notes: blank(fields.notes),
  };
}

async function put(ctx: MutationContext, contact: EntityOf<'contact'>): Promise<void> {
  await putRecord(ctx.tx, scopeOf.contact(contact), 'contact', contact);
}

export const contactHandlers = {
  'contact.create': async (ctx: MutationContext, args: MutationArgs<'contact.create'>): Promise<void> => {
    const existing = await ctx.tx.get('contact', args.contactId);
    if (existing) return reject('conflict', 'A contact with this id already exists.');
    await put(ctx, {
      id: args.contactId,
      orgId: ctx.actor.orgId,
      ownerId: args.shared ? null : ctx.actor.id,
      smsOptOut: false,
      ...clean(args.fields),
    });
  },

  'contact.update': async (ctx: MutationContext, args: MutationArgs<'contact.update'>): Promise<void> => {
    const contact = await visibleContact(ctx, args.contactId);
    await put(ctx, { ...contact, ...clean(args.fields) });
  },

  'contact.setFavourite': async (ctx: MutationContext, args: MutationArgs<'contact.setFavourite'>): Promise<void> => {
    const contact = await visibleContact(ctx, args.contactId);
    const id = recordId.contactFavourite(contact.id, ctx.actor.id);
    const present = await ctx.tx.get('contactFavourite', id) !== null;
    if (args.favourite && !present) {
      const favourite: EntityOf<'contactFavourite'> = { id, contactId: contact.id, userId: ctx.actor.id };
      await putRecord(ctx.tx, scopeOf.contactFavourite(favourite), 'contactFavourite', favourite);
    } else if (!args.favourite && present) {
      await deleteRecord(ctx.tx, scopeOf.contactFavourite({ id, contactId: contact.id, userId: ctx.actor.id }), 'contactFavourite', id);
    }
  },

  /** Manual opt-out (SPEC (14)); message.send already refuses SMS to an opted-out contact. */
  'contact.setOptOut': async (ctx: MutationContext, args: MutationArgs<'contact.setOptOut'>): Promise<void> => {
    const contact = await visibleContact(ctx, args.contactId);
    if (contact.smsOptOut === args.optOut) return;
    await put(ctx, { ...contact, smsOptOut: args.optOut });
  },

  /**
   * Links a conversation of one of the actor's inboxes to a shared contact. A
   * private contact would be invisible to the other members of the inbox, so
   * it cannot be linked to a shared conversation.
   */
  'conversation.linkContact': async (ctx: MutationContext, args: MutationArgs<'conversation.linkContact'>): Promise<void> => {
    const conversation = await ctx.tx.get('conversation', args.conversationId);
    if (!conversation || await ctx.tx.get('inboxMember', recordId.inboxMember(conversation.inboxId, ctx.actor.id)) === null) {
      return reject('not_found', 'This conversation does not exist or is in an inbox you are not a member of.');
    }
    const contact = await visibleContact(ctx, args.contactId);
    if (contact.ownerId !== null) {
      return reject('invalid', 'A private contact cannot be linked to a shared conversation; link a shared contact instead.');
    }
    if (conversation.contactId === contact.id) return;
    await putRecord(ctx.tx, scopeOf.conversation(conversation), 'conversation', { ...conversation, contactId: contact.id });
  },
};
