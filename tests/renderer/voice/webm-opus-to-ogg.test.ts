import { describe, expect, it } from 'vitest';
import {
  oggCrc32,
  opusPacketSamples,
  parseWebmOpus,
  VoiceNoteFormatError,
  webmOpusToOgg,
  writeOggOpus,
} from '../../../renderer/voice/webm-opus-to-ogg.ts';
// 1.5 s recorded by Chromium 156's MediaRecorder (audio/webm;codecs=opus, 32 kbit/s) from its fake
// microphone (--use-fake-device-for-media-stream): unknown-size Segment and Clusters, SimpleBlocks.
import fixtureUrl from './fixtures/chromium-fake-microphone-1500ms.webm?inline';

const fixture = Uint8Array.from(atob(fixtureUrl.slice(fixtureUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0));

interface OggPage {
  headerType: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crc: number;
  crcComputed: number;
  lacing: number[];
  body: Uint8Array;
}

/** An independent Ogg reader for the assertions (pages and the packets their lacing values make). */
function readOgg(bytes: Uint8Array): { pages: OggPage[]; packets: Uint8Array[] } {
  const pages: OggPage[] = [];
  const packets: Uint8Array[] = [];
  let pending: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    expect(String.fromCharCode(...bytes.subarray(at, at + 4))).toBe('OggS');
    const view = new DataView(bytes.buffer, bytes.byteOffset + at);
    const count = view.getUint8(26);
    const lacing = [...bytes.subarray(at + 27, at + 27 + count)];
    const bodyLength = lacing.reduce((n, l) => n + l, 0);
    const length = 27 + count + bodyLength;
    const page = bytes.slice(at, at + length);
    const crc = view.getUint32(22, true);
    page.fill(0, 22, 26);
    const body = bytes.subarray(at + 27 + count, at + length);
    pages.push({
      headerType: view.getUint8(5),
      granule: view.getBigInt64(6, true),
      serial: view.getUint32(14, true),
      sequence: view.getUint32(18, true),
      crc,
      crcComputed: oggCrc32(page),
      lacing,
      body,
    });
    let offset = 0;
    for (const l of lacing) {
      pending.push(...body.subarray(offset, offset + l));
      offset += l;
      if (l < 255) {
        packets.push(Uint8Array.from(pending));
        pending = [];
      }
    }
    at += length;
  }
  expect(pending).toEqual([]);
  return { pages, packets };
}

const text = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));

describe('WebM/Opus → Ogg/Opus remuxer', () => {
  it('reads the Opus track of a real Chromium recording', () => {
    const webm = parseWebmOpus(fixture);
    expect(text(webm.opusHead, 0, 8)).toBe('OpusHead');
    expect(webm.blockCount).toBeGreaterThan(10);
    expect(webm.packets).toHaveLength(webm.blockCount);
    const times = webm.packets.map((p) => p.timeMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('writes pages that start with OggS, carry one serial, count up and pass their CRC', () => {
    const ogg = webmOpusToOgg(fixture, { serial: 0x5eed });
    const { pages } = readOgg(ogg.bytes);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => {
      expect(page.serial).toBe(0x5eed);
      expect(page.sequence).toBe(i);
      expect(page.crc).toBe(page.crcComputed);
    });
    expect(pages.map((p) => p.headerType)).toEqual([0x02, ...pages.slice(1, -1).map(() => 0), 0x04]);
  });

  it('puts OpusHead alone on page 1 and OpusTags on page 2 (RFC 7845 §3)', () => {
    const ogg = webmOpusToOgg(fixture, { serial: 1 });
    const { pages } = readOgg(ogg.bytes);
    const [head, tags] = pages;
    expect(head?.lacing).toHaveLength(1);
    expect(text(head!.body, 0, 8)).toBe('OpusHead');
    expect(head!.body).toEqual(parseWebmOpus(fixture).opusHead);
    expect(head!.granule).toBe(0n);
    expect(text(tags!.body, 0, 8)).toBe('OpusTags');
    expect(tags!.granule).toBe(0n);
    expect(tags!.lacing.at(-1)).toBeLessThan(255);
  });

  it('keeps every WebM block as one Opus packet, byte for byte, with granule positions from their TOC', () => {
    const webm = parseWebmOpus(fixture);
    const ogg = webmOpusToOgg(fixture, { serial: 1 });
    const { pages, packets } = readOgg(ogg.bytes);
    const audio = packets.slice(2);
    expect(audio).toHaveLength(webm.blockCount);
    expect(ogg.packetCount).toBe(webm.blockCount);
    audio.forEach((packet, i) => expect(packet).toEqual(webm.packets[i]?.data));

    const granules = pages.slice(2).map((p) => p.granule).filter((g) => g !== -1n);
    for (let i = 1; i < granules.length; i++) expect(granules[i]!).toBeGreaterThan(granules[i - 1]!);
    const total = audio.reduce((n, p) => n + opusPacketSamples(p), 0);
    expect(pages.at(-1)!.granule).toBe(BigInt(total));
    expect(ogg.finalGranule).toBe(total);
    // ≈ the recording's length: the last block's time plus its own duration, at 48 kHz.
    const last = webm.packets.at(-1)!;
    const expected = ((last.timeMs + (opusPacketSamples(last.data) / 48)) / 1000) * 48_000 + ogg.preSkip;
    expect(Math.abs(ogg.finalGranule - expected)).toBeLessThanOrEqual(960);
    expect(ogg.durationSeconds).toBeGreaterThan(1.2);
    expect(ogg.durationSeconds).toBeLessThan(2);
  });

  it('refuses what is not a WebM Opus recording', () => {
    expect(() => webmOpusToOgg(Uint8Array.from([0x4f, 0x67, 0x67, 0x53, 0, 0, 0, 0]))).toThrow(VoiceNoteFormatError);
    expect(() => webmOpusToOgg(fixture.subarray(0, 40))).toThrow(VoiceNoteFormatError);
  });
});

describe('Opus packet duration (RFC 6716 §3.1)', () => {
  it('reads the frame size of each mode and the frame count of each code', () => {
    expect(opusPacketSamples(Uint8Array.of(0 << 3))).toBe(480); // SILK NB 10 ms
    expect(opusPacketSamples(Uint8Array.of(3 << 3))).toBe(2880); // SILK NB 60 ms
    expect(opusPacketSamples(Uint8Array.of(9 << 3))).toBe(960); // SILK WB 20 ms
    expect(opusPacketSamples(Uint8Array.of(12 << 3))).toBe(480); // Hybrid SWB 10 ms
    expect(opusPacketSamples(Uint8Array.of(15 << 3))).toBe(960); // Hybrid FB 20 ms
    expect(opusPacketSamples(Uint8Array.of(16 << 3))).toBe(120); // CELT NB 2.5 ms
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 1))).toBe(1920); // two CELT FB 20 ms frames
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 2))).toBe(1920);
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 3, 0x83))).toBe(2880); // code 3: M = 3 (VBR bit set)
  });
});

describe('Ogg pages', () => {
  it('uses the Ogg CRC (0x04c11db7, not reflected)', () => {
    expect(oggCrc32(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
  });

  it('laces a packet of 255·n bytes with a trailing 0 and carries a long packet over pages as continued', () => {
    const head = parseWebmOpus(fixture).opusHead;
    const big = new Uint8Array(255 * 300).fill(7);
    big[0] = 31 << 3;
    const small = Uint8Array.of(31 << 3, 1, 2);
    const ogg = writeOggOpus(head, [small, big, small], { serial: 2 });
    const { pages, packets } = readOgg(ogg.bytes);
    expect(packets.slice(2)).toEqual([small, big, small]);
    expect(pages.some((p) => p.headerType & 0x01)).toBe(true);
    for (const p of pages) expect(p.crc).toBe(p.crcComputed);
    // A page on which no packet ends has granule -1.
    expect(pages.filter((p) => p.lacing.every((l) => l === 255)).every((p) => p.granule === -1n)).toBe(true);
    expect(ogg.finalGranule).toBe(3 * 960);
  });
});
