// Writes the add-in icons (assets/icon-16.png ... icon-128.png): a blue rounded square with a white "CAF" mark.
// Drawn here rather than committed from an image editor so that every PNG in the tree has the script that made it.
// Run: npx tsx scripts/make-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

/** Sizes Office asks for: 16/32/80 for ribbon buttons, 64/128 for the manifest's IconUrl/HighResolutionIconUrl. */
export const ICON_SIZES = [16, 32, 64, 80, 128] as const;

// 3x5 pixel glyphs; '#' is ink. Small enough to stay legible at 16 px.
const GLYPHS: Record<string, string[]> = {
  C: ['###', '#..', '#..', '#..', '###'],
  A: ['###', '#.#', '###', '#.#', '#.#'],
  F: ['###', '#..', '##.', '#..', '#..'],
};

const BACKGROUND = [0x1f, 0x5f, 0xa8, 0xff] as const; // a calm institutional blue
const INK = [0xff, 0xff, 0xff, 0xff] as const;

type Rgba = readonly [number, number, number, number];

/** The RGBA pixels of one icon, row by row. */
export function drawIcon(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const put = (x: number, y: number, c: Rgba) => px.set(c, (y * size + x) * 4);
  const radius = Math.max(2, Math.round(size / 6));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Corner test against the centre of each pixel gives an even rounded square at every size.
      const dx = Math.max(radius - x - 0.5, x + 0.5 - (size - radius), 0);
      const dy = Math.max(radius - y - 0.5, y + 0.5 - (size - radius), 0);
      if (dx * dx + dy * dy <= radius * radius) put(x, y, BACKGROUND);
    }
  }
  const text = 'CAF';
  const glyphW = 3;
  const glyphH = 5;
  const textW = text.length * glyphW + (text.length - 1); // one empty column between letters
  // The largest whole-pixel scale that leaves a margin of about an eighth of the icon on each side.
  const scale = Math.max(1, Math.floor((size * 0.8) / textW));
  const left = Math.floor((size - textW * scale) / 2);
  const top = Math.floor((size - glyphH * scale) / 2);
  [...text].forEach((ch, i) => {
    const glyph = GLYPHS[ch]!;
    glyph.forEach((line, gy) => {
      [...line].forEach((cell, gx) => {
        if (cell !== '#') return;
        const x0 = left + (i * (glyphW + 1) + gx) * scale;
        const y0 = top + gy * scale;
        for (let y = y0; y < y0 + scale; y++) for (let x = x0; x < x0 + scale; x++) put(x, y, INK);
      });
    });
  });
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A truecolour-with-alpha PNG of square RGBA pixels. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function iconPng(size: number): Buffer {
  return encodePng(size, drawIcon(size));
}

export const assetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(assetsDir, { recursive: true });
  for (const size of ICON_SIZES) {
    const file = path.join(assetsDir, `icon-${size}.png`);
    writeFileSync(file, iconPng(size));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
