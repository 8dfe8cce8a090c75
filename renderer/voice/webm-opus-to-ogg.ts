/**
 * Voice notes: Chromium's MediaRecorder (Electron included) records Opus only inside WebM, while
 * WhatsApp takes voice notes only as Ogg Opus. This rewraps the recorded Opus packets, unchanged,
 * from WebM (Matroska EBML) into an Ogg Opus stream (RFC 7845). Nothing is re-encoded.
 */

export class VoiceNoteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VoiceNoteFormatError';
  }
}

/* ---------------------------------------------------------------- WebM (EBML) -- */

const ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
} as const;

/** Masters whose children are walked in place, whether their size is known or not (MediaRecorder writes unknown-size Segment and Clusters). */
const WALKED_MASTERS: ReadonlySet<number> = new Set([ID.Segment, ID.Info, ID.Tracks, ID.TrackEntry, ID.Cluster, ID.BlockGroup]);

interface VarInt {
  value: number;
  length: number;
  /** All value bits set: "unknown size". */
  unknown: boolean;
}

function readVarInt(bytes: Uint8Array, at: number, keepMarker: boolean): VarInt | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 8 || at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i] as number;
    value = value * 256 + b;
    allOnes &&= b === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

function readUint(bytes: Uint8Array): number {
  let value = 0;
  for (const b of bytes) value = value * 256 + b;
  return value;
}

interface WebmTrack {
  number: number;
  codecId: string;
  codecPrivate: Uint8Array | null;
  codecDelayNs: number;
}

export interface WebmOpusPacket {
  data: Uint8Array;
  /** Presentation time of the block (ms; frames of a laced block share it). */
  timeMs: number;
}

export interface WebmOpus {
  /** CodecPrivate: the OpusHead identification header. */
  opusHead: Uint8Array;
  packets: WebmOpusPacket[];
  /** Blocks (SimpleBlock or BlockGroup/Block) of the Opus track. */
  blockCount: number;
}

/** The frames of one block, after its lacing (RFC 9559 §10.3); MediaRecorder never laces, others may. */
function blockFrames(block: Uint8Array, headerLength: number, lacing: number): Uint8Array[] {
  if (lacing === 0) return [block.subarray(headerLength)];
  const count = (block[headerLength] ?? 0) + 1;
  let at = headerLength + 1;
  const sizes: number[] = [];
  if (lacing === 1) {
    for (let i = 0; i < count - 1; i++) {
      let size = 0;
      let b: number;
      do {
        b = block[at++] ?? 0;
        size += b;
      } while (b === 255 && at < block.length);
      sizes.push(size);
    }
  } else if (lacing === 3) {
    const first = readVarInt(block, at, false);
    if (!first) throw new VoiceNoteFormatError('A laced block is damaged.');
    at += first.length;
    sizes.push(first.value);
    for (let i = 1; i < count - 1; i++) {
      const raw = readVarInt(block, at, false);
      if (!raw) throw new VoiceNoteFormatError('A laced block is damaged.');
      at += raw.length;
      const signed = raw.value - (2 ** (7 * raw.length - 1) - 1);
      sizes.push((sizes[i - 1] as number) + signed);
    }
  } else {
    const each = (block.length - at) / count;
    if (!Number.isInteger(each)) throw new VoiceNoteFormatError('A laced block is damaged.');
    for (let i = 0; i < count - 1; i++) sizes.push(each);
  }
  const frames: Uint8Array[] = [];
  for (const size of sizes) {
    if (size < 0 || at + size > block.length) throw new VoiceNoteFormatError('A laced block is damaged.');
    frames.push(block.subarray(at, at + size));
    at += size;
  }
  frames.push(block.subarray(at));
  return frames;
}

/**
 * Walks the EBML of a WebM recording and returns the Opus track's header and packets. A recording
 * cut short (a final element running past the end) keeps what came before it.
 */
export function parseWebmOpus(bytes: Uint8Array): WebmOpus {
  const tracks: WebmTrack[] = [];
  let track: WebmTrack | null = null;
  let timecodeScale = 1_000_000;
  let clusterTime = 0;
  const blocks: { track: number; timeMs: number; frames: Uint8Array[] }[] = [];
  let at = 0;
  let sawEbml = false;

  while (at < bytes.length) {
    const id = readVarInt(bytes, at, true);
    if (!id) break;
    const size = readVarInt(bytes, at + id.length, false);
    if (!size) break;
    const start = at + id.length + size.length;
    if (id.value === ID.EBML) sawEbml = true;
    if (WALKED_MASTERS.has(id.value)) {
      if (id.value === ID.TrackEntry) {
        track = { number: 0, codecId: '', codecPrivate: null, codecDelayNs: 0 };
        tracks.push(track);
      }
      at = start;
      continue;
    }
    if (size.unknown) throw new VoiceNoteFormatError('The recording has an element of unknown size that cannot be skipped.');
    const end = start + size.value;
    if (end > bytes.length) break;
    const data = bytes.subarray(start, end);
    switch (id.value) {
      case ID.TimecodeScale:
        timecodeScale = readUint(data) || timecodeScale;
        break;
      case ID.TrackNumber:
        if (track) track.number = readUint(data);
        break;
      case ID.CodecID:
        if (track) track.codecId = new TextDecoder().decode(data).replace(/\0+$/, '');
        break;
      case ID.CodecPrivate:
        if (track) track.codecPrivate = data;
        break;
      case ID.CodecDelay:
        if (track) track.codecDelayNs = readUint(data);
        break;
      case ID.Timecode:
        clusterTime = readUint(data);
        break;
      case ID.SimpleBlock:
      case ID.Block: {
        const number = readVarInt(data, 0, false);
        if (!number || data.length < number.length + 3) throw new VoiceNoteFormatError('A block of the recording is damaged.');
        const relative = ((data[number.length] as number) << 8) | (data[number.length + 1] as number);
        const signed = relative >= 0x8000 ? relative - 0x10000 : relative;
        const flags = data[number.length + 2] as number;
        const timeMs = ((clusterTime + signed) * timecodeScale) / 1_000_000;
        blocks.push({ track: number.value, timeMs, frames: blockFrames(data, number.length + 3, (flags >> 1) & 3) });
        break;
      }
      default:
        break;
    }
    at = end;
  }

  if (!sawEbml) throw new VoiceNoteFormatError('The recording is not WebM.');
  const opus = tracks.find((t) => t.codecId === 'A_OPUS');
  if (!opus) throw new VoiceNoteFormatError('The recording has no Opus audio track.');
  const head = opus.codecPrivate ?? defaultOpusHead(opus.codecDelayNs);
  if (!isOpusHead(head)) throw new VoiceNoteFormatError('The recording has no valid Opus header.');
  const own = blocks.filter((b) => b.track === opus.number);
  return {
    opusHead: head,
    packets: own.flatMap((b) => b.frames.map((data) => ({ data, timeMs: b.timeMs }))),
    blockCount: own.length,
  };
}

/* --------------------------------------------------------------------- Opus -- */

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const startsWith = (bytes: Uint8Array, magic: string): boolean => magic.split('').every((c, i) => bytes[i] === c.charCodeAt(0));

export const isOpusHead = (bytes: Uint8Array): boolean => bytes.length >= 19 && startsWith(bytes, 'OpusHead') && (bytes[8] ?? 0) >> 4 === 0;

/** Mono 48 kHz OpusHead for a track without CodecPrivate (not written by MediaRecorder; defensive). */
function defaultOpusHead(codecDelayNs: number): Uint8Array {
  const head = new Uint8Array(19);
  head.set(ascii('OpusHead'));
  const view = new DataView(head.buffer);
  view.setUint8(8, 1);
  view.setUint8(9, 1);
  view.setUint16(10, Math.round((codecDelayNs * 48_000) / 1e9), true);
  view.setUint32(12, 48_000, true);
  return head;
}

/** OpusHead pre-skip: samples (48 kHz) the decoder drops from the start. */
export const opusPreSkip = (head: Uint8Array): number => ((head[11] ?? 0) << 8) | (head[10] ?? 0);

/** Samples per frame at 48 kHz for each TOC configuration (RFC 6716 §3.1, Table 2). */
function frameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config % 4] as number; // SILK 10/20/40/60 ms
  if (config < 16) return [480, 960][config % 2] as number; // Hybrid 10/20 ms
  return [120, 240, 480, 960][config % 4] as number; // CELT 2.5/5/10/20 ms
}

/** How many 48 kHz samples one Opus packet decodes to, from its TOC byte (RFC 6716 §3.1–3.2). */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 3) {
    const count = packet[1];
    if (count === undefined) throw new VoiceNoteFormatError('An Opus packet is damaged.');
    frames = count & 0x3f;
  } else frames = 2;
  return frames * frameSamples(toc >> 3);
}

/* ---------------------------------------------------------------------- Ogg -- */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg page checksum: CRC-32, polynomial 0x04c11db7, not reflected, initial value 0, no final XOR. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] as number)) >>> 0;
  return crc;
}

const HEADER_TYPE = { continued: 0x01, bos: 0x02, eos: 0x04 } as const;
const MAX_SEGMENTS = 255;
/** Audio pages are flushed once they hold about a second of audio. */
const PAGE_SAMPLES = 48_000;

class OggWriter {
  private readonly pages: Uint8Array[] = [];
  private sequence = 0;
  private segments: number[] = [];
  private body: Uint8Array[] = [];
  /** Granule of the last packet that ended on the current page, or -1 when none did. */
  private granule = -1n;
  private continued = false;

  constructor(private readonly serial: number) {}

  /** Adds one packet; `granule` is the stream's sample position once it is decoded. */
  packet(data: Uint8Array, granule: bigint): void {
    let offset = 0;
    do {
      if (this.segments.length === MAX_SEGMENTS) this.flush(false);
      const chunk = Math.min(255, data.length - offset);
      this.segments.push(chunk);
      this.body.push(data.subarray(offset, offset + chunk));
      offset += chunk;
      // A packet ends with a lacing value under 255 (a multiple of 255 bytes ends with a 0).
      if (chunk < 255) {
        this.granule = granule;
        return;
      }
    } while (offset <= data.length);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  flush(last: boolean, first = false): void {
    if (!this.segments.length) return;
    const bodyLength = this.body.reduce((n, b) => n + b.length, 0);
    const page = new Uint8Array(27 + this.segments.length + bodyLength);
    const view = new DataView(page.buffer);
    page.set(ascii('OggS'));
    view.setUint8(4, 0);
    view.setUint8(5, (this.continued ? HEADER_TYPE.continued : 0) | (first ? HEADER_TYPE.bos : 0) | (last ? HEADER_TYPE.eos : 0));
    view.setBigInt64(6, this.granule, true);
    view.setUint32(14, this.serial, true);
    view.setUint32(18, this.sequence++, true);
    view.setUint8(26, this.segments.length);
    page.set(this.segments, 27);
    let at = 27 + this.segments.length;
    for (const b of this.body) {
      page.set(b, at);
      at += b.length;
    }
    view.setUint32(22, oggCrc32(page), true);
    this.pages.push(page);
    // The next page continues a packet when this one's last lacing value is 255.
    this.continued = this.segments[this.segments.length - 1] === 255;
    this.segments = [];
    this.body = [];
    this.granule = -1n;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.pages.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.pages) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function opusTags(vendor: string): Uint8Array {
  const vendorBytes = new TextEncoder().encode(vendor);
  const tags = new Uint8Array(8 + 4 + vendorBytes.length + 4);
  const view = new DataView(tags.buffer);
  tags.set(ascii('OpusTags'));
  view.setUint32(8, vendorBytes.length, true);
  tags.set(vendorBytes, 12);
  view.setUint32(12 + vendorBytes.length, 0, true);
  return tags;
}

export interface OggOpusOptions {
  /** Bitstream serial number; random unless given (tests pin it). */
  serial?: number;
  vendor?: string;
}

export interface OggOpus {
  bytes: Uint8Array;
  packetCount: number;
  /** Granule position of the last page: every decoded sample, pre-skip included. */
  finalGranule: number;
  preSkip: number;
  /** Playable length after pre-skip, in seconds. */
  durationSeconds: number;
}

/**
 * Writes an Ogg Opus stream (RFC 7845 §3): page 1 the OpusHead alone (beginning of stream),
 * page 2 the OpusTags, then the audio packets, each page's granule position the 48 kHz sample
 * count up to its last completed packet, the last page marked end of stream.
 */
export function writeOggOpus(opusHead: Uint8Array, packets: readonly Uint8Array[], options: OggOpusOptions = {}): OggOpus {
  if (!isOpusHead(opusHead)) throw new VoiceNoteFormatError('The Opus header is not valid.');
  if (!packets.length) throw new VoiceNoteFormatError('The recording holds no audio.');
  const serial = options.serial ?? crypto.getRandomValues(new Uint32Array(1))[0] ?? 1;
  const writer = new OggWriter(serial >>> 0);
  writer.packet(opusHead, 0n);
  writer.flush(false, true);
  writer.packet(opusTags(options.vendor ?? 'Switchboard'), 0n);
  writer.flush(false);

  let granule = 0n;
  let pageStart = 0n;
  packets.forEach((packet, i) => {
    granule += BigInt(opusPacketSamples(packet));
    writer.packet(packet, granule);
    const last = i === packets.length - 1;
    if (last) writer.flush(true);
    else if (granule - pageStart >= BigInt(PAGE_SAMPLES) || writer.segmentCount >= MAX_SEGMENTS - 16) {
      writer.flush(false);
      pageStart = granule;
    }
  });
  const preSkip = opusPreSkip(opusHead);
  const finalGranule = Number(granule);
  return { bytes: writer.bytes(), packetCount: packets.length, finalGranule, preSkip, durationSeconds: Math.max(0, finalGranule - preSkip) / 48_000 };
}

/** WebM/Opus as recorded by Chromium → Ogg/Opus, the packets unchanged. */
export function webmOpusToOgg(webm: Uint8Array, options: OggOpusOptions = {}): OggOpus {
  const parsed = parseWebmOpus(webm);
  return writeOggOpus(parsed.opusHead, parsed.packets.map((p) => p.data), options);
}
