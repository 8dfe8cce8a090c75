import { readFileSync } from 'node:fs';

const VOICE_NOTE = new URL('../../resources/demo/voice-note.ogg', import.meta.url);
let cached: Buffer | null = null;

/** A short Ogg Opus voice note (recorded from Chromium's fake microphone) for simulated WhatsApp customers. */
export function demoVoiceNote(): Buffer {
  cached ??= readFileSync(VOICE_NOTE);
  return cached;
}
