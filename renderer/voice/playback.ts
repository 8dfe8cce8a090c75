import { normaliseContentType } from '../../protocol/attachments.ts';

export const isAudio = (contentType: string): boolean => normaliseContentType(contentType).startsWith('audio/');

/** What the audio element is asked, per attachment type: Opus is what voice notes carry in Ogg. */
const CODEC_HINTS: Readonly<Record<string, string>> = {
  'audio/ogg': 'audio/ogg; codecs=opus',
};

/**
 * Whether this browser says it can play audio of this type (canPlayType "maybe"/"probably");
 * audio/amr, common from older phones, gets a download link instead of a player.
 */
export function playableAudio(contentType: string, probe: Pick<HTMLMediaElement, 'canPlayType'> | null = defaultProbe()): boolean {
  if (!probe) return false;
  const type = normaliseContentType(contentType);
  return probe.canPlayType(CODEC_HINTS[type] ?? type) !== '' || probe.canPlayType(type) !== '';
}

function defaultProbe(): Pick<HTMLMediaElement, 'canPlayType'> | null {
  return typeof document === 'undefined' ? null : document.createElement('audio');
}
