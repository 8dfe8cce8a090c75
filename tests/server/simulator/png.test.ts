import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoPhoto, encodePng } from '../../../server/simulator/png.ts';

/** Splits a PNG into its chunks, checking each CRC with an independent computation. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const out: Array<{ type: string; data: Buffer }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const data = png.subarray(at + 8, at + 8 + length);
    let c = ~0;
    for (const b of png.subarray(at + 4, at + 8 + length)) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    expect(png.readUInt32BE(at + 8 + length), `${type} crc`).toBe(~c >>> 0);
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

describe('png', () => {
  it('encodes a valid RGB PNG whose pixels decode back', () => {
    const png = encodePng(3, 2, (x, y) => [x * 100, y * 200, 300]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const parts = chunks(png);
    expect(parts.map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = parts[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([3, 2, 8, 2]);
    const rows = inflateSync(parts[1]!.data);
    expect([...rows]).toEqual([0, 0, 0, 255, 100, 0, 255, 200, 0, 255, 0, 0, 200, 255, 100, 200, 255, 200, 200, 255]);
  });

  it('demo photos are small PNGs that differ by seed', () => {
    const a = demoPhoto(0.1);
    expect(a.length).toBeLessThan(64 * 1024);
    expect(chunks(a).map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(a.equals(demoPhoto(0.6))).toBe(false);
  });
});
