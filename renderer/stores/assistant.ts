import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { MAX_SUGGESTIONS, type Tone } from '../../protocol/assistant.ts';
import type { AssistantView, IpcEvents, PastReplySuggestion } from '../../protocol/ipc.ts';
import { getApi } from '../api/index.ts';

type Mode = 'suggest' | 'generate';
type Phase = 'idle' | 'streaming' | 'done' | 'failed';

let nextRequest = 0;
const newRequestId = () => `assist_${Date.now().toString(36)}_${(nextRequest++).toString(36)}`;

/**
 * The Message Assistant in the composer (issue 12 §1): which messages are ticked, what streams in, what the
 * past replies offer. Nothing here ever sends: a suggestion only fills the composer (`insertion`).
 */
export const useAssistantStore = defineStore('assistant', () => {
  const view = shallowRef<AssistantView | null>(null);
  const open = ref(false);
  const mode = ref<Mode>('suggest');
  const conversationId = ref<string | null>(null);
  const ticked = ref<string[]>([]);
  const requestId = ref<string | null>(null);
  const phase = ref<Phase>('idle');
  const suggestions = ref<string[]>([]);
  const draft = ref('');
  const pastReplies = ref<PastReplySuggestion[]>([]);
  const error = ref<string | null>(null);
  const intent = ref('');
  const tone = ref<Tone>('friendly');
  /** Text for the composer to take (with a counter so the same text twice is taken twice). */
  const insertion = ref<{ text: string; seq: number } | null>(null);
  let insertSeq = 0;

  const streaming = computed(() => phase.value === 'streaming');

  /** One streamed piece (renderer/events.ts routes the `assistant` event here); other requests' pieces are ignored. */
  function receive({ requestId: id, event }: IpcEvents['assistant']): void {
    if (id !== requestId.value) return;
    if (event.type === 'delta') {
      if (mode.value === 'suggest') {
        const next = [...suggestions.value];
        while (next.length <= event.index) next.push('');
        next[event.index] = (next[event.index] ?? '') + event.text;
        suggestions.value = next.slice(0, MAX_SUGGESTIONS);
      } else draft.value += event.text;
    } else if (event.type === 'done') phase.value = 'done';
    else if (event.type === 'error') {
      phase.value = 'failed';
      error.value = event.message;
    }
  }

  async function refresh(): Promise<void> {
    const result = await getApi().invoke('assistant.state', {});
    if (result.ok) view.value = result.value;
  }

  function reset(): void {
    void cancel();
    suggestions.value = [];
    draft.value = '';
    pastReplies.value = [];
    error.value = null;
    phase.value = 'idle';
  }

  function show(forConversation: string): void {
    if (conversationId.value !== forConversation) ticked.value = [];
    conversationId.value = forConversation;
    open.value = true;
    void refresh();
  }

  function close(): void {
    reset();
    open.value = false;
    ticked.value = [];
  }

  function toggleTick(messageId: string): void {
    ticked.value = ticked.value.includes(messageId) ? ticked.value.filter((id) => id !== messageId) : [...ticked.value, messageId];
  }

  async function suggest(): Promise<void> {
    if (!conversationId.value || ticked.value.length === 0) return;
    reset();
    mode.value = 'suggest';
    const id = (requestId.value = newRequestId());
    phase.value = 'streaming';
    const result = await getApi().invoke('assistant.suggest', { requestId: id, conversationId: conversationId.value, messageIds: ticked.value });
    if (requestId.value !== id) return;
    if (!result.ok) return fail(result.error.message);
    pastReplies.value = result.value.pastReplies;
    if (!result.value.streaming) fail(result.value.error?.message ?? null);
  }

  async function generate(): Promise<void> {
    if (!conversationId.value || !intent.value.trim()) return;
    reset();
    mode.value = 'generate';
    const id = (requestId.value = newRequestId());
    phase.value = 'streaming';
    const result = await getApi().invoke('assistant.generate', { requestId: id, conversationId: conversationId.value, intent: intent.value, tone: tone.value });
    if (requestId.value !== id) return;
    if (!result.ok) return fail(result.error.message);
    if (!result.value.streaming) fail(result.value.error?.message ?? null);
  }

  function fail(message: string | null): void {
    phase.value = message ? 'failed' : 'idle';
    error.value = message;
  }

  async function cancel(): Promise<void> {
    const id = requestId.value;
    requestId.value = null;
    if (phase.value === 'streaming') phase.value = 'idle';
    if (id) await getApi().invoke('assistant.cancel', { requestId: id });
  }

  function insert(text: string): void {
    insertion.value = { text: text.trim(), seq: ++insertSeq };
  }

  return {
    view,
    open,
    mode,
    conversationId,
    ticked,
    phase,
    streaming,
    suggestions,
    draft,
    pastReplies,
    error,
    intent,
    tone,
    insertion,
    refresh,
    receive,
    show,
    close,
    toggleTick,
    suggest,
    generate,
    cancel,
    insert,
  };
});
