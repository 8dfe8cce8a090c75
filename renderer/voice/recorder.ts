import { webmOpusToOgg } from './webm-opus-to-ogg.ts';

/** A voice note may run at most this long; the recorder stops itself then. */
export const VOICE_NOTE_MAX_SECONDS = 120;
/** Speech needs little: 32 kbit/s Opus keeps two minutes under 0.5 MB (the message limit is 5 MB). */
const AUDIO_BITS_PER_SECOND = 32_000;
const OGG_OPUS = 'audio/ogg;codecs=opus';
const WEBM_OPUS = 'audio/webm;codecs=opus';

export interface RecordedVoiceNote {
  /** An audio/ogg (Opus) file, named after its length: "Voice note 0:07.ogg". */
  file: File;
  durationSeconds: number;
}

/** What the recorder needs from the page; tests pass fakes. */
export interface RecorderEnvironment {
  mediaDevices: Pick<MediaDevices, 'getUserMedia'> | undefined;
  MediaRecorder: (new (stream: MediaStream, options?: MediaRecorderOptions) => MediaRecorder) & Pick<typeof MediaRecorder, 'isTypeSupported'> | undefined;
  now(): number;
}

export const browserRecorderEnvironment = (): RecorderEnvironment => ({
  mediaDevices: typeof navigator === 'undefined' ? undefined : navigator.mediaDevices,
  MediaRecorder: typeof MediaRecorder === 'undefined' ? undefined : MediaRecorder,
  now: () => performance.now(),
});

/** Whether this page can record at all (a secure context with getUserMedia and MediaRecorder). */
export function canRecordVoiceNotes(env: RecorderEnvironment = browserRecorderEnvironment()): boolean {
  return !!env.mediaDevices?.getUserMedia && !!env.MediaRecorder && (env.MediaRecorder.isTypeSupported(OGG_OPUS) || env.MediaRecorder.isTypeSupported(WEBM_OPUS));
}

/** "0:07", "1:59". */
export function formatVoiceDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** Named after its length as a player shows it (whole seconds, at least 0:01). */
export const voiceNoteName = (durationSeconds: number): string => `Voice note ${formatVoiceDuration(Math.max(1, durationSeconds))}.ogg`;

/** The reason a recording could not start, in words for the person at the microphone. */
export function microphoneErrorMessage(error: unknown): string {
  const name = error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error) ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Switchboard may not use the microphone. Allow microphone access for Switchboard in your browser or system settings, then try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Connect one and try again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone could not be started: another application may be using it.';
    default:
      return `The voice note could not be recorded${error instanceof Error && error.message ? `: ${error.message}` : '.'}`;
  }
}

export class VoiceRecording {
  private readonly chunks: Blob[] = [];
  private readonly stopped: Promise<void>;
  private finished = false;
  readonly startedAt: number;

  private constructor(
    private readonly env: RecorderEnvironment,
    private readonly stream: MediaStream,
    private readonly recorder: MediaRecorder,
    /** Recorded straight into Ogg (Firefox); otherwise WebM to rewrap. */
    private readonly nativeOgg: boolean,
  ) {
    this.startedAt = env.now();
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size) this.chunks.push(event.data);
    });
    this.stopped = new Promise((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true }));
    recorder.start(1000);
  }

  /** Asks for the microphone (audio only) and starts recording; rejects with a microphone error. */
  static async start(env: RecorderEnvironment = browserRecorderEnvironment()): Promise<VoiceRecording> {
    const Recorder = env.MediaRecorder;
    if (!env.mediaDevices?.getUserMedia || !Recorder) throw new Error('this browser cannot record audio here');
    const stream = await env.mediaDevices.getUserMedia({ audio: true, video: false });
    try {
      const nativeOgg = Recorder.isTypeSupported(OGG_OPUS);
      const recorder = new Recorder(stream, { mimeType: nativeOgg ? OGG_OPUS : WEBM_OPUS, audioBitsPerSecond: AUDIO_BITS_PER_SECOND });
      return new VoiceRecording(env, stream, recorder, nativeOgg);
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw error;
    }
  }

  elapsedSeconds(): number {
    return (this.env.now() - this.startedAt) / 1000;
  }

  private release(): void {
    this.finished = true;
    for (const track of this.stream.getTracks()) track.stop();
  }

  /** Discards the recording and frees the microphone. */
  cancel(): void {
    if (this.finished) return;
    this.release();
    if (this.recorder.state !== 'inactive') this.recorder.stop();
  }

  /** Stops, frees the microphone and returns the note as an Ogg Opus file. */
  async stop(): Promise<RecordedVoiceNote> {
    if (this.finished) throw new Error('The recording has already ended.');
    const elapsed = this.elapsedSeconds();
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    await this.stopped;
    this.release();
    const recorded = new Uint8Array(await new Blob(this.chunks).arrayBuffer());
    if (!recorded.length) throw new Error('The recording is empty.');
    let bytes: Uint8Array<ArrayBuffer> = recorded;
    let durationSeconds = Math.min(elapsed, VOICE_NOTE_MAX_SECONDS);
    if (!this.nativeOgg) {
      const ogg = webmOpusToOgg(recorded);
      bytes = new Uint8Array(ogg.bytes);
      durationSeconds = ogg.durationSeconds;
    }
    return { file: new File([bytes], voiceNoteName(durationSeconds), { type: 'audio/ogg' }), durationSeconds };
  }
}
