import type { PNG } from 'pngjs';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from '../render/bitmapFont';

/**
 * Reads text back from a screenshot by matching each glyph cell against the bitmap font: proof that the
 * text a person would read is drawn where the page source says, not merely that some pixels changed.
 */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

function isInk(png: PNG, x: number, y: number, ink: readonly [number, number, number]): boolean {
  const i = (y * png.width + x) * 4;
  return (
    Math.abs(png.data[i]! - ink[0]) < 40 &&
    Math.abs(png.data[i + 1]! - ink[1]) < 40 &&
    Math.abs(png.data[i + 2]! - ink[2]) < 40
  );
}

/** `length` characters drawn at (x, y) with the given scale (pixels per font pixel) and ink colour. */
export function readText(
  png: PNG,
  at: { x: number; y: number; scale: number; length: number; ink: readonly [number, number, number] },
): string {
  let out = '';
  for (let c = 0; c < at.length; c += 1) {
    const left = at.x + c * (GLYPH_WIDTH + 1) * at.scale;
    // Sample the middle of every font pixel of the cell.
    const cell: boolean[] = [];
    for (let gx = 0; gx < GLYPH_WIDTH; gx += 1) {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy += 1) {
        cell.push(
          isInk(
            png,
            left + gx * at.scale + Math.floor(at.scale / 2),
            at.y + gy * at.scale + Math.floor(at.scale / 2),
            at.ink,
          ),
        );
      }
    }
    const match = PRINTABLE.find((char) =>
      cell.every((on, i) => on === glyphPixel(char, Math.floor(i / GLYPH_HEIGHT), i % GLYPH_HEIGHT)),
    );
    out += match ?? '\u25a1';
  }
  return out;
}
