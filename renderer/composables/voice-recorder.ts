import { onBeforeUnmount, ref, type Ref } from 'vue';
import { canRecordVoiceNotes, formatVoiceDuration, microphoneErrorMessage, VOICE_NOTE_MAX_SECONDS, VoiceRecording } from '../voice/recorder.ts';

export type RecorderState = 'idle' | 'starting' | 'recording' | 'finishing';

export interface VoiceRecorderHooks {
  /** Which conversation is open: a note recorded for another one is dropped. */
  conversationId(): string | null;
  /** Recording is refused while this says so (signed out, window closed…). */
  blocked(): boolean;
  onError(message: string): void;
  /** The finished note; `andSend` when the person chose Stop & send, false when the time limit stopped it. */
  onNote(file: File, andSend: boolean): Promise<void>;
}

export interface VoiceRecorder {
  available: boolean;
  state: Ref<RecorderState>;
  elapsed: Ref<number>;
  /** The longest a note may be, as shown ("2:00"). */
  maxLength: string;
  start(): Promise<void>;
  finish(andSend: boolean): Promise<void>;
  cancel(): void;
}

/**
 * Voice notes in the composer: records (audio only) until Stop & send, Cancel or Escape, at most
 * VOICE_NOTE_MAX_SECONDS; the note is then handed to the composer like a picked file.
 */
export function useVoiceRecorder(hooks: VoiceRecorderHooks): VoiceRecorder {
  const state = ref<RecorderState>('idle');
  const elapsed = ref(0);
  let recording: VoiceRecording | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;

  function stopTicking(): void {
    if (ticker) clearInterval(ticker);
    ticker = null;
    window.removeEventListener('keydown', onKeydown, true);
  }

  async function start(): Promise<void> {
    if (state.value !== 'idle' || hooks.blocked()) return;
    state.value = 'starting';
    const conversationId = hooks.conversationId();
    try {
      const started = await VoiceRecording.start();
      if (state.value !== 'starting' || hooks.conversationId() !== conversationId) {
        started.cancel();
        return;
      }
      recording = started;
    } catch (err) {
      if (state.value === 'starting') hooks.onError(microphoneErrorMessage(err));
      state.value = 'idle';
      return;
    }
    state.value = 'recording';
    elapsed.value = 0;
    window.addEventListener('keydown', onKeydown, true);
    ticker = setInterval(() => {
      elapsed.value = recording?.elapsedSeconds() ?? 0;
      if (elapsed.value >= VOICE_NOTE_MAX_SECONDS) void finish(false);
    }, 200);
  }

  async function finish(andSend: boolean): Promise<void> {
    const current = recording;
    if (!current || state.value !== 'recording') return;
    state.value = 'finishing';
    stopTicking();
    const conversationId = hooks.conversationId();
    try {
      const note = await current.stop();
      recording = null;
      if (hooks.conversationId() !== conversationId) return;
      await hooks.onNote(note.file, andSend);
    } catch (err) {
      hooks.onError(err instanceof Error ? `The voice note could not be prepared: ${err.message}` : String(err));
    } finally {
      recording = null;
      state.value = 'idle';
    }
  }

  function cancel(): void {
    stopTicking();
    recording?.cancel();
    recording = null;
    if (state.value !== 'finishing') state.value = 'idle';
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || state.value !== 'recording') return;
    event.preventDefault();
    event.stopPropagation();
    cancel();
  }

  onBeforeUnmount(cancel);
  return { available: canRecordVoiceNotes(), state, elapsed, maxLength: formatVoiceDuration(VOICE_NOTE_MAX_SECONDS), start, finish, cancel };
}
