import { deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A valid 8-bit RGB PNG drawn pixel by pixel (no image library needed for a few demo pictures). */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter method, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3); // each row starts with filter type 0 (none)
    for (let x = 0; x < width; x++) rows.set(pixel(x, y).map((v) => Math.max(0, Math.min(255, Math.round(v)))), row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small "snapshot" a customer sends: a sky, hills and a coloured object, varied by `seed` (0..1). */
export function demoPhoto(seed: number): Buffer {
  const width = 160;
  const height = 120;
  const hues: readonly Rgb[] = [[200, 70, 40], [40, 120, 200], [230, 170, 30], [120, 60, 160]];
  const hue = hues[Math.floor(seed * hues.length) % hues.length] ?? hues[0]!;
  const phase = seed * Math.PI * 2;
  return encodePng(width, height, (x, y) => {
    const ridge = 70 + 12 * Math.sin(x / 18 + phase) + 6 * Math.sin(x / 7 + phase * 3);
    const inObject = (x - 80) ** 2 / 900 + (y - 88) ** 2 / 400 < 1;
    if (inObject) return [hue[0] + (y - 88) * 2, hue[1] + (y - 88) * 2, hue[2] + (y - 88) * 2];
    if (y < ridge) return [120 + y, 170 + y / 2, 235];
    return [40 + (y - ridge), 110 - (y - ridge) / 2, 50];
  });
}
