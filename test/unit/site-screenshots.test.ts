// The desktops' pictures: the recording keeps every pixel (palette or RGB PNG, scaled by area averaging
// only when wider than 1024 px), the committed pictures are listed with their real sizes, and the
// configurator picks the picture of the chosen desktop, none for shell and xterm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import recorded from '../../site/src/lib/screenshots.json' with { type: 'json' };
import { pictureFor, type RecordedPictures } from '../../site/src/lib/screenshots.ts';
import { WINDOW_MANAGERS } from '../../src/vmspec/types.ts';
import { decodePng, type RgbaImage } from '../helpers/png.ts';
import { compactPng, scaleToWidth } from '../helpers/screenshots.ts';

const pictures: RecordedPictures = recorded;
const PUBLIC = join(import.meta.dirname, '../../site/public/screenshots');

function image(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...colour(x, y), 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

describe('recording', () => {
  it('stores a picture of few colours as a palette PNG and many colours as RGB, pixel for pixel', () => {
    const few = image(40, 30, (x, y) => (x < 20 ? [0, 0, 0] : y < 15 ? [255, 255, 255] : [46, 52, 64]));
    const many = image(40, 30, (x, y) => [x * 6, y * 8, (x * y) % 256]);
    for (const [picture, encoding] of [
      [few, 'palette'],
      [many, 'rgb'],
    ] as const) {
      const png = compactPng(picture);
      expect(png.encoding).toBe(encoding);
      expect(Buffer.from(decodePng(png.bytes).data)).toEqual(Buffer.from(picture.data));
    }
  });

  it('scales a wide picture down to 1024 px by averaging, and leaves a narrow one alone', () => {
    const stripes = image(2048, 4, (x) => (x % 2 ? [200, 100, 0] : [0, 100, 200]));
    const scaled = scaleToWidth(stripes, 1024);
    expect([scaled.width, scaled.height]).toEqual([1024, 2]);
    expect([...scaled.data.slice(0, 4)]).toEqual([100, 100, 100, 255]);
    const narrow = image(800, 500, () => [1, 2, 3]);
    expect(scaleToWidth(narrow, 1024)).toBe(narrow);
  });
});

describe('the committed pictures', () => {
  it('are listed with the size of the PNG on disk, named after window managers', () => {
    for (const [name, size] of Object.entries(pictures)) {
      expect(WINDOW_MANAGERS as readonly string[]).toContain(name);
      const bytes = readFileSync(join(PUBLIC, `${name}.png`));
      expect({ width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bytes: bytes.length }, name).toEqual(size);
      expect(size.width).toBeLessThanOrEqual(1024);
    }
    expect(Object.keys(pictures)).toEqual(expect.arrayContaining(['pekwm', 'openbox', 'none']));
  });
});

describe('pictureFor', () => {
  const two: RecordedPictures = { openbox: { width: 1024, height: 640, bytes: 1 }, none: { width: 1024, height: 640, bytes: 1 } };

  it("shows the chosen window manager's picture for the screen desktops", () => {
    expect(pictureFor({ desktop: 'novnc', windowManager: 'openbox' }, two)?.src).toBe('/screenshots/openbox.png');
    expect(pictureFor({ desktop: 'vnc', windowManager: 'none' }, two, '/docs')).toMatchObject({ src: '/docs/screenshots/none.png', width: 1024 });
  });

  it('shows nothing without a screen, or without a recorded picture', () => {
    expect(pictureFor({ desktop: 'shell', windowManager: 'none' }, two)).toBeUndefined();
    expect(pictureFor({ desktop: 'xterm', windowManager: 'none' }, two)).toBeUndefined();
    expect(pictureFor({ desktop: 'novnc', windowManager: 'xfce' }, two)).toBeUndefined();
  });
});
