import { AssistantStreamEvent, ASSISTANT_PATHS } from '../../../protocol/assistant.ts';

export const AVA = { email: 'ava@demo.switchboard.test', password: 'demo-admin', id: 'user_ava' } as const;

export async function api(url: string, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function configure(url: string, adminToken: string, settings: { baseUrl: string; model?: string; key?: string; maskContactDetails?: boolean; enabled?: boolean }) {
  const res = await api(url, adminToken, ASSISTANT_PATHS.settings, {
    method: 'PUT',
    body: { model: 'sim-model', maskContactDetails: false, enabled: true, ...settings },
  });
  if (res.status !== 200) throw new Error(`configure failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Reads an NDJSON answer line by line, each checked against the protocol schema. */
export async function* streamEvents(res: Response): AsyncGenerator<AssistantStreamEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) yield AssistantStreamEvent.parse(JSON.parse(line));
    }
  }
}

export async function collect(res: Response): Promise<{ events: AssistantStreamEvent[]; texts: string[]; end: AssistantStreamEvent | undefined }> {
  const events: AssistantStreamEvent[] = [];
  for await (const e of streamEvents(res)) events.push(e);
  const texts: string[] = [];
  for (const e of events) if (e.type === 'delta') texts[e.index] = (texts[e.index] ?? '') + e.text;
  return { events, texts: texts.map((t) => t.trim()), end: events.at(-1) };
}
