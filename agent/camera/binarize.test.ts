import { binarize, isInk, negative } from './binarize';
import { drawCode, createRaster, qrcodeModules, toBytes, type Raster } from './testing/frames';

const MODULES = qrcodeModules('binarize me: https://example.com/enroll?token=K7PQ3MZX9WRT2HVB4NCE');
const MODULE_PIXELS = 6;

/** The code upright at the frame's origin after the quiet zone, lit from the right. */
function unevenlyLit(): Raster {
  const size = (MODULES.size + 8) * MODULE_PIXELS;
  const frame = drawCode(createRaster(size + 40, size), MODULES, {
    modulePixels: MODULE_PIXELS,
    centerX: size / 2,
    centerY: size / 2,
  });
  // Illumination from 30% on the left to 100% on the right: the left edge's paper is darker than the
  // right edge's ink.
  const data = frame.data.map((value, index) => value * (0.3 + (0.7 * (index % frame.width)) / frame.width));
  return { ...frame, data };
}

function moduleErrors(ink: (x: number, y: number) => boolean): number {
  let errors = 0;
  for (let row = 0; row < MODULES.size; row++) {
    for (let col = 0; col < MODULES.size; col++) {
      const x = (col + 4.5) * MODULE_PIXELS;
      const y = (row + 4.5) * MODULE_PIXELS;
      if (ink(Math.floor(x), Math.floor(y)) !== MODULES.dark(row, col)) errors++;
    }
  }
  return errors;
}

describe('binarize', () => {
  it('separates ink from paper under light that varies across the code', () => {
    const raster = unevenlyLit();
    const luminance = { width: raster.width, height: raster.height, data: toBytes(raster) };
    const image = binarize(luminance);
    expect(moduleErrors((x, y) => isInk(image, x, y))).toBe(0);

    // The test means something: one global threshold gets many modules wrong on the same frame.
    const mean = luminance.data.reduce((a, b) => a + b, 0) / luminance.data.length;
    expect(moduleErrors((x, y) => luminance.data[y * luminance.width + x]! <= mean)).toBeGreaterThan(100);
  });

  it('calls flat paper paper, even with the faint texture of real paper', () => {
    const data = new Uint8Array(200 * 120).map((_, i) => 200 + ((i * 7919) % 9));
    const image = binarize({ width: 200, height: 120, data });
    let ink = 0;
    for (let y = 0; y < 120; y++) for (let x = 0; x < 200; x++) if (isInk(image, x, y)) ink++;
    expect(ink).toBe(0);
  });

  it('keeps the luminance and one threshold per 8x8 block for module sampling', () => {
    const data = new Uint8Array(20 * 12).fill(90);
    const image = binarize({ width: 20, height: 12, data });
    expect(image.luminance).toBe(data);
    expect(image.blocksX).toBe(3);
    expect(image.thresholds).toHaveLength(3 * 2);
  });
});

describe('negative', () => {
  it('turns a light code on a dark screen into a dark code on light paper', () => {
    const image = negative({ width: 3, height: 1, data: Uint8Array.from([0, 100, 255]), colour: false });
    expect(Array.from(image.data)).toEqual([255, 155, 0]);
  });
});
