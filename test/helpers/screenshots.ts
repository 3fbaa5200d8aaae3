// Pictures of the desktops for the docs. A browser test that has a desktop on screen records it with
// recordScreenshot('<variant>', png): the picture goes to artifacts/screenshots/<variant>.png (git-ignored),
// scaled to at most 1024 pixels wide and stored as compactly as PNG allows without losing a colour
// (an indexed palette when the picture has at most 256 colours). `node scripts/record-screenshots.ts`
// copies recorded pictures into the site on purpose; a test run never touches the committed ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { decodePng, type RgbaImage } from './png.ts';

export const SCREENSHOTS_DIR = join(import.meta.dirname, '../../artifacts/screenshots');
export const MAX_WIDTH = 1024;

export interface RecordedScreenshot {
  path: string;
  width: number;
  height: number;
  bytes: number;
  /** 'palette' (≤ 256 colours) or 'rgb'. */
  encoding: 'palette' | 'rgb';
}

/** A variant's name as a file name: letters, digits and dashes. */
export function screenshotName(variant: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(variant)) throw new Error(`screenshot names are lower-case words with dashes, got ${JSON.stringify(variant)}`);
  return `${variant}.png`;
}

/** Saves the picture of a desktop variant (PNG bytes, e.g. from screenshotCanvas) for the docs. */
export function recordScreenshot(variant: string, png: Uint8Array, dir = SCREENSHOTS_DIR): RecordedScreenshot {
  const image = scaleToWidth(decodePng(png), MAX_WIDTH);
  const { bytes, encoding } = compactPng(image);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, screenshotName(variant));
  writeFileSync(path, bytes);
  return { path, width: image.width, height: image.height, bytes: bytes.length, encoding };
}

/** Area-average downscaling (each target pixel is the mean of the source pixels it covers); never enlarges. */
export function scaleToWidth(image: RgbaImage, maxWidth: number): RgbaImage {
  if (image.width <= maxWidth) return image;
  const width = maxWidth;
  const height = Math.max(1, Math.round((image.height * maxWidth) / image.width));
  const horizontal = resampleAxis(image.data, image.width, image.height, width, true);
  const data = resampleAxis(horizontal, width, image.height, height, false);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Resamples rows (horizontal) or columns to `target` pixels, weighting each source pixel by the share it covers. */
function resampleAxis(data: Uint8Array | Uint8ClampedArray, width: number, height: number, target: number, horizontal: boolean): Uint8ClampedArray {
  const source = horizontal ? width : height;
  const lines = horizontal ? height : width;
  const outWidth = horizontal ? target : width;
  const out = new Uint8ClampedArray(outWidth * (horizontal ? height : target) * 4);
  const scale = source / target;
  const at = (line: number, i: number) => (horizontal ? (line * width + i) * 4 : (i * width + line) * 4);
  const outAt = (line: number, i: number) => (horizontal ? (line * outWidth + i) * 4 : (i * outWidth + line) * 4);
  for (let line = 0; line < lines; line++) {
    for (let t = 0; t < target; t++) {
      const start = t * scale;
      const end = start + scale;
      const sum = [0, 0, 0, 0];
      for (let s = Math.floor(start); s < Math.min(source, Math.ceil(end)); s++) {
        const weight = Math.min(end, s + 1) - Math.max(start, s);
        const o = at(line, s);
        for (let c = 0; c < 4; c++) sum[c]! += data[o + c]! * weight;
      }
      const o = outAt(line, t);
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(sum[c]! / scale);
    }
  }
  return out;
}

/** The smaller of what PNG offers for an opaque picture: an indexed palette if it fits, else RGB with a filter per row. */
export function compactPng(image: RgbaImage): { bytes: Buffer; encoding: 'palette' | 'rgb' } {
  const { width, height, data } = image;
  const palette = new Map<number, number>();
  for (let i = 0; i < width * height && palette.size <= 256; i++) {
    const rgb = (data[i * 4]! << 16) | (data[i * 4 + 1]! << 8) | data[i * 4 + 2]!;
    if (!palette.has(rgb)) palette.set(rgb, palette.size);
  }
  if (palette.size <= 256) {
    const raw = Buffer.alloc((width + 1) * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        raw[y * (width + 1) + 1 + x] = palette.get((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)!;
      }
    }
    const plte = Buffer.alloc(palette.size * 3);
    for (const [rgb, index] of palette) plte.writeUIntBE(rgb, index * 3, 3);
    return { bytes: png(width, height, 3, raw, [chunk('PLTE', plte)]), encoding: 'palette' };
  }
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  const row = Buffer.alloc(stride);
  const previous = Buffer.alloc(stride);
  const candidate = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) row[x * 3 + c] = data[(y * width + x) * 4 + c]!;
    // Each row gets the filter whose output has the smallest sum of (signed) bytes: PNG's usual heuristic.
    let best = Number.POSITIVE_INFINITY;
    for (let filter = 0; filter <= 4; filter++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const left = i >= 3 ? row[i - 3]! : 0;
        const up = y > 0 ? previous[i]! : 0;
        const upLeft = y > 0 && i >= 3 ? previous[i - 3]! : 0;
        const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
        const value = (row[i]! - predicted) & 0xff;
        candidate[i] = value;
        cost += value < 128 ? value : 256 - value;
      }
      if (cost < best) {
        best = cost;
        raw[y * (stride + 1)] = filter;
        candidate.copy(raw, y * (stride + 1) + 1);
      }
    }
    row.copy(previous);
  }
  return { bytes: png(width, height, 2, raw, []), encoding: 'rgb' };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function png(width: number, height: number, colorType: 2 | 3, raw: Buffer, extra: Buffer[]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(colorType, 9);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), ...extra, chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  let crc = 0xffffffff;
  for (const byte of typed) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return Buffer.concat([length, typed, sum]);
}
