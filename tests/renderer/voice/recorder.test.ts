import { describe, expect, it } from 'vitest';
import {
  canRecordVoiceNotes,
  formatVoiceDuration,
  microphoneErrorMessage,
  voiceNoteName,
  VoiceRecording,
  type RecorderEnvironment,
} from '../../../renderer/voice/recorder.ts';
import { isAudio, playableAudio } from '../../../renderer/voice/playback.ts';
import fixtureUrl from './fixtures/chromium-fake-microphone-1500ms.webm?inline';

const webm = Uint8Array.from(atob(fixtureUrl.slice(fixtureUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0));

/** A microphone stream whose tracks remember being stopped. */
function fakeStream() {
  const tracks = [{ stopped: false, stop() { this.stopped = true; } }];
  return { tracks, stream: { getTracks: () => tracks } as unknown as MediaStream };
}

/** Stands in for MediaRecorder: hands back `output` as one chunk when stopped. */
function fakeEnvironment(options: { ogg?: boolean; output?: Uint8Array; refuse?: Error } = {}) {
  const { tracks, stream } = fakeStream();
  const constraints: MediaStreamConstraints[] = [];
  const recorders: { mimeType: string; started: boolean }[] = [];
  let clock = 0;
  class FakeRecorder extends EventTarget {
    static isTypeSupported = (type: string): boolean => type === 'audio/webm;codecs=opus' || (!!options.ogg && type === 'audio/ogg;codecs=opus');
    state: 'inactive' | 'recording' = 'inactive';
    readonly record: { mimeType: string; started: boolean };
    constructor(_stream: MediaStream, init?: MediaRecorderOptions) {
      super();
      this.record = { mimeType: init?.mimeType ?? '', started: false };
      recorders.push(this.record);
    }
    start(): void {
      this.state = 'recording';
      this.record.started = true;
    }
    stop(): void {
      this.state = 'inactive';
      const bytes = new Uint8Array(options.output ?? webm);
      this.dispatchEvent(Object.assign(new Event('dataavailable'), { data: new Blob([bytes]) }));
      this.dispatchEvent(new Event('stop'));
    }
  }
  const env: RecorderEnvironment = {
    mediaDevices: {
      getUserMedia: async (c?: MediaStreamConstraints) => {
        constraints.push(c ?? {});
        if (options.refuse) throw options.refuse;
        return stream;
      },
    },
    MediaRecorder: FakeRecorder as unknown as RecorderEnvironment['MediaRecorder'],
    now: () => clock,
  };
  return { env, tracks, constraints, recorders, advance: (ms: number) => (clock += ms) };
}

describe('voice recorder', () => {
  it('is offered only where getUserMedia and MediaRecorder exist', () => {
    expect(canRecordVoiceNotes(fakeEnvironment().env)).toBe(true);
    expect(canRecordVoiceNotes({ ...fakeEnvironment().env, mediaDevices: undefined })).toBe(false);
    expect(canRecordVoiceNotes({ ...fakeEnvironment().env, MediaRecorder: undefined })).toBe(false);
  });

  it('asks for audio only, records WebM/Opus and hands back an Ogg Opus file named after its length', async () => {
    const fake = fakeEnvironment();
    const recording = await VoiceRecording.start(fake.env);
    expect(fake.constraints).toEqual([{ audio: true, video: false }]);
    expect(fake.recorders).toEqual([{ mimeType: 'audio/webm;codecs=opus', started: true }]);
    fake.advance(1500);
    expect(recording.elapsedSeconds()).toBe(1.5);
    const note = await recording.stop();
    expect(fake.tracks.every((t) => t.stopped)).toBe(true);
    expect(note.file.type).toBe('audio/ogg');
    expect(note.file.name).toBe('Voice note 0:01.ogg');
    expect(note.durationSeconds).toBeCloseTo(1.5, 2);
    const bytes = new Uint8Array(await note.file.arrayBuffer());
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('OggS');
  });

  it('records Ogg directly where the browser can (Firefox), without rewrapping', async () => {
    const ogg = Uint8Array.from([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]);
    const fake = fakeEnvironment({ ogg: true, output: ogg });
    const recording = await VoiceRecording.start(fake.env);
    expect(fake.recorders[0]?.mimeType).toBe('audio/ogg;codecs=opus');
    fake.advance(7_200);
    const note = await recording.stop();
    expect(new Uint8Array(await note.file.arrayBuffer())).toEqual(ogg);
    expect(note.file.name).toBe('Voice note 0:07.ogg');
  });

  it('cancel discards the recording and frees the microphone', async () => {
    const fake = fakeEnvironment();
    const recording = await VoiceRecording.start(fake.env);
    recording.cancel();
    expect(fake.tracks.every((t) => t.stopped)).toBe(true);
    await expect(recording.stop()).rejects.toThrow(/already ended/);
  });

  it('explains a refused or missing microphone', async () => {
    const denied = fakeEnvironment({ refuse: new DOMException('Permission denied', 'NotAllowedError') });
    const error = await VoiceRecording.start(denied.env).catch((e: unknown) => e);
    expect(microphoneErrorMessage(error)).toMatch(/may not use the microphone\. Allow microphone access/);
    expect(microphoneErrorMessage(new DOMException('Requested device not found', 'NotFoundError'))).toBe('No microphone was found. Connect one and try again.');
    expect(microphoneErrorMessage(new DOMException('Could not start audio source', 'NotReadableError'))).toMatch(/another application/);
    expect(microphoneErrorMessage(new Error('boom'))).toBe('The voice note could not be recorded: boom');
  });

  it('formats lengths as m:ss', () => {
    expect(formatVoiceDuration(0)).toBe('0:00');
    expect(formatVoiceDuration(7.9)).toBe('0:07');
    expect(formatVoiceDuration(120)).toBe('2:00');
    expect(voiceNoteName(0.2)).toBe('Voice note 0:01.ogg');
    expect(voiceNoteName(65.9)).toBe('Voice note 1:05.ogg');
  });
});

describe('audio playback', () => {
  const chromium = { canPlayType: (type: string): CanPlayTypeResult => (/^audio\/(ogg|mpeg|mp4|aac|wav)/.test(type) ? 'maybe' : '') };

  it('plays what the browser can, and offers a download for the rest (AMR)', () => {
    expect(isAudio('audio/ogg')).toBe(true);
    expect(isAudio('video/mp4')).toBe(false);
    for (const type of ['audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav']) expect(playableAudio(type, chromium), type).toBe(true);
    expect(playableAudio('audio/amr', chromium)).toBe(false);
    expect(playableAudio('audio/ogg', null)).toBe(false);
  });
});
