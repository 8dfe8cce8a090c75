import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setApi } from '../../renderer/api/index.ts';
import { splitSnippet } from '../../renderer/snippet.ts';
import { useContactsStore } from '../../renderer/stores/contacts.ts';
import { useSearchStore } from '../../renderer/stores/search.ts';
import { createFakeApi, type FakeApi } from './fake-api.ts';

let fake: FakeApi;

beforeEach(() => {
  setActivePinia(createPinia());
  fake = createFakeApi({ now: Date.UTC(2026, 10, 25, 12) });
  setApi(fake.api);
});
afterEach(() => {
  fake.close();
  setApi(null);
});

const fields = { name: 'Riley Quinn', phones: [], email: '', company: 'Harbour', notes: '' };

describe('contacts store', () => {
  it('creates a contact, opens its panel, and a favourite shows in the favourites list', async () => {
    const contacts = useContactsStore();
    expect(await contacts.create(fields, null)).toBeNull();
    expect(contacts.panelId).toMatch(/^contact_fake_/);
    expect(contacts.detail?.contact.name).toBe('Riley Quinn');
    expect(contacts.favourites).toEqual([]);

    expect(await contacts.setFavourite(contacts.panelId!, true)).toBeNull();
    expect(contacts.favourites.map((c) => c.name)).toEqual(['Riley Quinn']);
    expect(contacts.detail?.favourite).toBe(true);

    contacts.closePanel();
    expect(contacts.detail).toBeNull();
  });

  it('answers a refusal from main as the message to show', async () => {
    const contacts = useContactsStore();
    const invoke = fake.api.invoke.bind(fake.api);
    vi.spyOn(fake.api, 'invoke').mockImplementation(async (method, input) =>
      method === 'actions.updateContact'
        ? { ok: false, error: { code: 'invalid', message: '“12345” is not a valid phone number.' } }
        : invoke(method, input),
    );
    expect(await contacts.update('contact_x', { ...fields, phones: ['12345'] })).toBe('“12345” is not a valid phone number.');
  });
});

describe('search store', () => {
  it('searches after a pause in typing and drops results on reset', async () => {
    const contacts = useContactsStore();
    await contacts.create(fields, null);
    const search = useSearchStore();
    search.setText('riley');
    await vi.waitFor(() => expect(search.results?.contacts.map((c) => c.name)).toEqual(['Riley Quinn']));
    search.reset();
    expect(search.results).toBeNull();
    expect(search.text).toBe('');
  });

  it('splits snippets at the match markers', () => {
    expect(splitSnippet('a \u0002kayak\u0003 for \u0002two\u0003…')).toEqual([
      { text: 'a ', hit: false },
      { text: 'kayak', hit: true },
      { text: ' for ', hit: false },
      { text: 'two', hit: true },
      { text: '…', hit: false },
    ]);
  });
});
