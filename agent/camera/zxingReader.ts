/// <reference types="emscripten" />
// zxing-wasm types its module as an EmscriptenModule (_malloc, _free, HEAPU8), a global of @types/emscripten.
import { readFileSync } from 'node:fs';
import {
  binarizers,
  characterSets,
  defaultReaderOptions,
  eanAddOnSymbols,
  encodeFormats,
  prepareZXingModule,
  readBarcodes,
  textModes,
  type ReadResult,
  type ReaderOptions,
  type ZXingReaderModule,
  type ZXingReaderOptions,
  type ZXingReadResult,
  type ZXingVector,
} from 'zxing-wasm/reader';

/**
 * ZXing-C++ compiled to WebAssembly (zxing-wasm), the camera's QR decoder.
 *
 * The .wasm file ships inside the npm package; it is read from there and handed to the module, because
 * zxing-wasm's default is to fetch it from a CDN, which a simulator must never depend on (this machine,
 * CI and many labs have no route to one). The module is compiled once per process, on first use.
 *
 * The camera hands over luminance (pngPixels), which ZXing reads as it is. zxing-wasm's `readBarcodes`
 * takes only RGBA pixels or an encoded file: RGBA would mean building four bytes a pixel for it to turn
 * back into one in JavaScript (2.8 ms more a 1280x720 frame, harness/bench/README.md), and a file means
 * ZXing inflating and unfiltering it again, slower than Node's zlib. So luminance goes to the module's own
 * `readBarcodesFromPixmap`, the call `readBarcodes` makes after its conversion, with the options
 * converted the way `readBarcodes` converts them (zxingReader.test.ts reads the same as `readBarcodes`).
 */

// QR only: trying every symbology costs time and can misread a corner of a QR code as a 1D barcode.
// tryHarder and tryInvert are on because a camera sees blurred codes and light ones on dark (a dark-theme
// screen), which a phone's reader still reads. tryRotate is off: ZXing's QR detector finds codes at any
// angle by their finder patterns, and the extra 90-degree passes (meant for 1D codes) read nothing more
// on the bench's frames; they run on every frame where nothing else reads (harness/bench/README.md).
export const READER_OPTIONS: Readonly<ReaderOptions> = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: false,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1,
};

function zxingOptions(options: ReaderOptions): ZXingReaderOptions {
  const { formats, binarizer, eanAddOnSymbol, textMode, characterSet, ...flags } = {
    ...defaultReaderOptions,
    ...options,
  };
  return {
    ...flags,
    formats: encodeFormats(formats),
    binarizer: binarizers.indexOf(binarizer),
    eanAddOnSymbol: eanAddOnSymbols.indexOf(eanAddOnSymbol),
    textMode: textModes.indexOf(textMode),
    characterSet: characterSets.indexOf(characterSet),
  };
}

// Two passes, the second only when the first finds nothing. GlobalHistogram (one threshold for the whole
// frame) reads an evenly lit frame in about 0.6 of LocalAverage's time; LocalAverage (a threshold per
// block of pixels, ZXing's default) reads what uneven light and heavy noise leave for it. Measured on the
// bench's frames and two of heavy noise (qrDecode.bench.ts --options, harness/bench/README.md).
export const PASSES: readonly Readonly<ReaderOptions>[] = [
  { ...READER_OPTIONS, binarizer: 'GlobalHistogram' },
  { ...READER_OPTIONS, binarizer: 'LocalAverage' },
];

const ZXING_PASSES = PASSES.map(zxingOptions);

let ready: Promise<ZXingReaderModule> | undefined;

function prepare(): Promise<ZXingReaderModule> {
  if (!ready) {
    const file = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    ready = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return ready;
}

// One buffer in the module's heap for the pixels, grown to the largest frame seen: the heap never
// shrinks anyway, and memory used before is faster to write than a fresh allocation's (page faults).
let pixels = { at: 0, size: 0 };

function pixelBuffer(module: ZXingReaderModule, size: number): Uint8Array {
  if (size > pixels.size) {
    if (pixels.size > 0) module._free(pixels.at);
    pixels = { at: 0, size: 0 };
    const at = module._malloc(size);
    if (!at) throw new Error(`ZXing could not allocate ${size} bytes for a camera frame`);
    pixels = { at, size };
  }
  // HEAPU8 read after the malloc: growing the heap replaces it.
  return module.HEAPU8.subarray(pixels.at, pixels.at + size);
}

export type { ReaderOptions };

export type QrCode = Pick<ReadResult, 'text' | 'version' | 'position' | 'isInverted'>;

/**
 * The QR codes ZXing reads in a width x height frame of 8-bit luminance, one byte a pixel, row by row,
 * which `draw` writes into the buffer it is given; valid results only.
 */
export async function readQrCodes(
  width: number,
  height: number,
  draw: (pixels: Uint8Array) => void,
  /** Other passes than the camera's, for the QR bench's comparison of options; each over READER_OPTIONS. */
  passes?: readonly ReaderOptions[],
): Promise<QrCode[]> {
  const module = await prepare();
  const zxing = passes
    ? passes.map((options) => zxingOptions({ ...READER_OPTIONS, ...options }))
    : ZXING_PASSES;
  // Nothing awaits between drawing into the buffer and reading it, so concurrent calls cannot mix frames.
  // ZXing reads the buffer without writing to it, so every pass sees the frame as drawn.
  draw(pixelBuffer(module, width * height));
  for (const options of zxing) {
    const codes = validCodes(module.readBarcodesFromPixmap(pixels.at, width, height, options));
    if (codes.length > 0) return codes;
  }
  return [];
}

function validCodes(results: ZXingVector<ZXingReadResult>): QrCode[] {
  try {
    const codes: QrCode[] = [];
    for (let i = 0; i < results.size(); i++) {
      const { isValid, text, version, position, isInverted } = results.get(i)!;
      if (isValid) codes.push({ text, version, position, isInverted });
    }
    return codes;
  } finally {
    results.delete();
  }
}

/** RGBA pixels, 4 bytes a pixel, row by row: the shape of a browser's ImageData. */
export interface RgbaPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

type ReadBarcodesInput = Parameters<typeof readBarcodes>[0];

/**
 * The same through zxing-wasm's own readBarcodes, from an encoded image (ZXing's PNG decoder and all) or
 * RGBA pixels: what the camera is measured and tested against.
 */
export async function readQrCodesWithReadBarcodes(image: Uint8Array | RgbaPixels): Promise<ReadResult[]> {
  await prepare();
  // zxing-wasm tells pixels from an encoded file by their width, height and data, as in ImageData.
  const results = await readBarcodes(image as ReadBarcodesInput, READER_OPTIONS);
  return results.filter((result) => result.isValid);
}
