import type { LuminanceImage } from './luminance';

/**
 * Local-threshold binarization (the block scheme of ZXing's HybridBinarizer, which jsQR also uses): the
 * frame is cut into 8x8 blocks, each block gets a black point, and each pixel is compared with the mean
 * black point of the 5x5 blocks around its own. A global threshold would lose a code lit unevenly or
 * sitting on a dark desk; per-pixel windows would cost far more.
 *
 * A pixel is ink when it is no brighter than its block's threshold (isInk). The ink is not written out
 * as a second image: the finder scan reads every other row only, and the rest of the locator a few
 * thousand pixels, so comparing on demand is cheaper than a full pass (about 1.5 ms per 1280x720
 * frame, measured).
 */
const BLOCK = 8;
/** Blocks whose pixels vary less than this are flat: paper, or the inside of a large dark area. */
const MIN_DYNAMIC_RANGE = 24;

export interface BinaryImage {
  width: number;
  height: number;
  luminance: Uint8Array;
  /** One threshold per 8x8 block, row-major; blocksX blocks a row. */
  thresholds: Float32Array;
  blocksX: number;
}

/** Ink: darker than the local threshold. Callers keep (x, y) inside the image. */
export function isInk(image: BinaryImage, x: number, y: number): boolean {
  return image.luminance[y * image.width + x]! <= image.thresholds[(y >> 3) * image.blocksX + (x >> 3)]!;
}

export function binarize(image: Pick<LuminanceImage, 'width' | 'height' | 'data'>): BinaryImage {
  const { width, height, data } = image;
  const blocksX = Math.ceil(width / BLOCK);
  const blocksY = Math.ceil(height / BLOCK);
  const blackPoints = new Float32Array(blocksX * blocksY);

  for (let by = 0; by < blocksY; by++) {
    const y0 = by * BLOCK;
    const y1 = Math.min(height, y0 + BLOCK);
    for (let bx = 0; bx < blocksX; bx++) {
      const x0 = bx * BLOCK;
      const x1 = Math.min(width, x0 + BLOCK);
      let sum = 0;
      let min = 255;
      let max = 0;
      for (let y = y0; y < y1; y++) {
        for (let i = y * width + x0, stop = y * width + x1; i < stop; i++) {
          const value = data[i]!;
          sum += value;
          if (value < min) min = value;
          if (value > max) max = value;
        }
      }
      const block = by * blocksX + bx;
      let point = sum / ((y1 - y0) * (x1 - x0));
      if (max - min <= MIN_DYNAMIC_RANGE) {
        // A flat block is assumed to be paper (threshold below its darkest pixel), unless its neighbours
        // already said the area is darker: then it is the inside of something dark, like a finder's centre.
        point = min / 2;
        if (by > 0 && bx > 0) {
          const neighbours =
            (blackPoints[block - blocksX]! +
              2 * blackPoints[block - 1]! +
              blackPoints[block - blocksX - 1]!) /
            4;
          if (min < neighbours) point = neighbours;
        }
      }
      blackPoints[block] = point;
    }
  }

  // Mean black point over the 5x5 blocks around each block (clipped at the frame's edges), from a
  // summed-area table so the cost does not grow with the window.
  const table = new Float64Array((blocksX + 1) * (blocksY + 1));
  for (let by = 0; by < blocksY; by++) {
    let rowSum = 0;
    for (let bx = 0; bx < blocksX; bx++) {
      rowSum += blackPoints[by * blocksX + bx]!;
      table[(by + 1) * (blocksX + 1) + bx + 1] = table[by * (blocksX + 1) + bx + 1]! + rowSum;
    }
  }
  const thresholds = new Float32Array(blocksX * blocksY);
  for (let by = 0; by < blocksY; by++) {
    const top = Math.max(0, by - 2);
    const bottom = Math.min(blocksY, by + 3);
    for (let bx = 0; bx < blocksX; bx++) {
      const left = Math.max(0, bx - 2);
      const right = Math.min(blocksX, bx + 3);
      const sum =
        table[bottom * (blocksX + 1) + right]! -
        table[top * (blocksX + 1) + right]! -
        table[bottom * (blocksX + 1) + left]! +
        table[top * (blocksX + 1) + left]!;
      thresholds[by * blocksX + bx] = sum / ((bottom - top) * (right - left));
    }
  }
  return { width, height, luminance: data, thresholds, blocksX };
}

/** Light-on-dark codes (a code shown in a dark theme) read as ordinary codes of the negative image. */
export function negative(image: LuminanceImage): LuminanceImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i]!;
  return { width: image.width, height: image.height, data, colour: image.colour };
}
