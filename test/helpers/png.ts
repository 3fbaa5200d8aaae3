// PNG decoding (and a small encoder for fixtures) for screenshot assertions, from the PNG spec:
// 8-bit greyscale, RGB, palette, greyscale+alpha and RGBA, non-interlaced, filter types 0–4,
// zlib via node:zlib, CRCs checked. Everything is normalised to RGBA.

import { crc32, deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, rows top to bottom, RGBA. */
  data: Uint8Array;
}

export type PngFilter = 0 | 1 | 2 | 3 | 4;

/** Channels per pixel for each colour type (PNG spec table 11.1). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Decodes a PNG into RGBA. Throws a clear error for anything unsupported or corrupt. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colourType = -1;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const idat: Buffer[] = [];
  let sawEnd = false;

  while (offset + 12 <= buffer.length && !sawEnd) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const dataEnd = offset + 8 + length;
    if (dataEnd + 4 > buffer.length) throw new Error(`PNG truncated in chunk ${type}`);
    const data = buffer.subarray(offset + 8, dataEnd);
    const storedCrc = buffer.readUInt32BE(dataEnd);
    if (crc32(buffer.subarray(offset + 4, dataEnd)) !== storedCrc) throw new Error(`PNG chunk ${type} has a bad CRC`);
    switch (type) {
      case 'IHDR': {
        width = data.readUInt32BE(0);
        height = data.readUInt32BE(4);
        bitDepth = data.readUInt8(8);
        colourType = data.readUInt8(9);
        const interlace = data.readUInt8(12);
        if (bitDepth !== 8) throw new Error(`unsupported PNG bit depth ${bitDepth} (only 8)`);
        if (CHANNELS[colourType] === undefined) throw new Error(`unsupported PNG colour type ${colourType}`);
        if (interlace !== 0) throw new Error('interlaced PNGs are not supported');
        if (width === 0 || height === 0) throw new Error(`PNG has an empty size ${width}×${height}`);
        break;
      }
      case 'PLTE':
        palette = data;
        break;
      case 'tRNS':
        transparency = data;
        break;
      case 'IDAT':
        idat.push(data);
        break;
      case 'IEND':
        sawEnd = true;
        break;
      default:
        // ancillary chunks (sRGB, pHYs, tEXt…) do not change the pixels we compare
        break;
    }
    offset = dataEnd + 4;
  }
  if (colourType < 0) throw new Error('PNG has no IHDR');
  if (idat.length === 0) throw new Error('PNG has no IDAT');
  if (colourType === 3 && !palette) throw new Error('palette PNG without PLTE');

  const channels = CHANNELS[colourType]!;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < (stride + 1) * height) throw new Error(`PNG image data too short: ${raw.length} bytes for ${width}×${height}`);

  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const source = y * (stride + 1) + 1;
    const row = y * stride;
    const previous = row - stride;
    for (let x = 0; x < stride; x++) {
      const value = raw[source + x]!;
      const left = x >= channels ? pixels[row + x - channels]! : 0;
      const up = y > 0 ? pixels[previous + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[previous + x - channels]! : 0;
      let out: number;
      switch (filter) {
        case 0:
          out = value;
          break;
        case 1:
          out = value + left;
          break;
        case 2:
          out = value + up;
          break;
        case 3:
          out = value + ((left + up) >> 1);
          break;
        case 4:
          out = value + paeth(left, up, upLeft);
          break;
        default:
          throw new Error(`PNG row ${y} has unknown filter type ${filter}`);
      }
      pixels[row + x] = out & 0xff;
    }
  }

  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    const o = i * 4;
    switch (colourType) {
      case 0:
        rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[p]!;
        rgba[o + 3] = 255;
        break;
      case 2:
        rgba[o] = pixels[p]!;
        rgba[o + 1] = pixels[p + 1]!;
        rgba[o + 2] = pixels[p + 2]!;
        rgba[o + 3] = 255;
        break;
      case 3: {
        const index = pixels[p]!;
        if (index * 3 + 2 >= palette!.length) throw new Error(`PNG palette index ${index} out of range`);
        rgba[o] = palette![index * 3]!;
        rgba[o + 1] = palette![index * 3 + 1]!;
        rgba[o + 2] = palette![index * 3 + 2]!;
        rgba[o + 3] = transparency && index < transparency.length ? transparency[index]! : 255;
        break;
      }
      case 4:
        rgba[o] = rgba[o + 1] = rgba[o + 2] = pixels[p]!;
        rgba[o + 3] = pixels[p + 1]!;
        break;
      default:
        rgba[o] = pixels[p]!;
        rgba[o + 1] = pixels[p + 1]!;
        rgba[o + 2] = pixels[p + 2]!;
        rgba[o + 3] = pixels[p + 3]!;
        break;
    }
  }
  return { width, height, data: rgba };
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * Encodes RGBA pixels as an 8-bit RGBA (or, with `rgb: true`, RGB) PNG. `filter` picks the row
 * filter: one type for all rows, or 'cycle' for 0,1,2,3,4,0,… (to exercise a decoder). For fixtures.
 */
export function encodePng(image: RgbaImage, options: { filter?: PngFilter | 'cycle'; rgb?: boolean } = {}): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${data.length}`);
  const channels = options.rgb ? 3 : 4;
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < channels; c++) pixels[i * channels + c] = data[i * 4 + c]!;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter: PngFilter = options.filter === 'cycle' ? ((y % 5) as PngFilter) : (options.filter ?? 0);
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const value = pixels[y * stride + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      raw[y * (stride + 1) + 1 + x] = (value - predicted) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(options.rgb ? 2 : 6, 9);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export interface PixelStats {
  width: number;
  height: number;
  /** Number of distinct RGBA values. */
  distinctColors: number;
  /** The most frequent colour, '#rrggbb' (or '#rrggbbaa' when not opaque). */
  dominantColor: string;
  /** Share of pixels that have the dominant colour, 0–1. */
  dominantFraction: number;
  /** Share of pixels that differ from the background (default: the dominant colour) by more than `tolerance` in some channel, 0–1. */
  nonBackgroundFraction: number;
}

function hex(r: number, g: number, b: number, a: number): string {
  const part = (n: number) => n.toString(16).padStart(2, '0');
  return `#${part(r)}${part(g)}${part(b)}${a === 255 ? '' : part(a)}`;
}

/**
 * Colour statistics of a PNG (bytes) or decoded image, for "the desktop is not blank" assertions,
 * e.g. nonBackgroundFraction ≥ 0.02 and distinctColors > 2. `tolerance` (default 0) is the largest
 * per-channel difference still counted as background; `background` ('#rrggbb') overrides the dominant colour.
 */
export function pixelStats(png: Uint8Array | RgbaImage, options: { tolerance?: number; background?: string } = {}): PixelStats {
  const image = png instanceof Uint8Array ? decodePng(png) : png;
  const { width, height, data } = image;
  const counts = new Map<number, number>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const total = width * height;
  for (let i = 0; i < total; i++) {
    const key = view.getUint32(i * 4);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let dominant = 0;
  let dominantCount = -1;
  for (const [key, count] of counts) {
    if (count > dominantCount) {
      dominant = key;
      dominantCount = count;
    }
  }
  let background = [dominant >>> 24, (dominant >>> 16) & 0xff, (dominant >>> 8) & 0xff, dominant & 0xff];
  if (options.background !== undefined) {
    const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(options.background);
    if (!match) throw new Error(`background must be '#rrggbb' or '#rrggbbaa', got ${options.background}`);
    background = [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16), match[4] ? parseInt(match[4], 16) : 255];
  }
  const tolerance = options.tolerance ?? 0;
  let differing = 0;
  for (let i = 0; i < total; i++) {
    const o = i * 4;
    for (let c = 0; c < 4; c++) {
      if (Math.abs(data[o + c]! - background[c]!) > tolerance) {
        differing++;
        break;
      }
    }
  }
  return {
    width,
    height,
    distinctColors: counts.size,
    dominantColor: hex(dominant >>> 24, (dominant >>> 16) & 0xff, (dominant >>> 8) & 0xff, dominant & 0xff),
    dominantFraction: dominantCount / total,
    nonBackgroundFraction: differing / total,
  };
}
