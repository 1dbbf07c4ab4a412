// VP9: "vp09.PP.LL.DD[.CC.cp.tc.mc.FF]" per the "Codecs Parameter String" section of the
// VP Codec ISO Media File Format Binding. Every field is a two-digit decimal; the five
// after the bit depth are optional but all-or-none.
import type { ParsedVideoCodec } from './index.js';

export type ParsedVp9 = Extract<ParsedVideoCodec, { kind: 'vp9' }>;

const VP9_PATTERN = /^vp09\.(\d{2})\.(\d{2})\.(\d{2})(?:\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2}))?$/;

// Colour code points of ISO/IEC 23091-2 (formerly 23001-8), which the binding uses for
// cp/tc/mc. AV1 §6.4.2 defines the same code points, so av1.ts checks against these too.
export const COLOR_PRIMARIES: ReadonlySet<number> = new Set([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 22]);
export const TRANSFER_CHARACTERISTICS: ReadonlySet<number> = new Set([
  1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
]);
export const MATRIX_COEFFICIENTS: ReadonlySet<number> = new Set([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
export const MATRIX_IDENTITY = 0;

// Binding chromaSubsampling values.
const CHROMA_420_VERTICAL = 0;
const CHROMA_420_COLOCATED = 1;
const CHROMA_422 = 2;
const CHROMA_444 = 3;

// VP9 bitstream §7.2: profiles 0 and 2 are 4:2:0 only, profiles 1 and 3 exclude 4:2:0;
// profiles 0 and 1 are 8-bit, 2 and 3 are 10- or 12-bit.
const VP9_PROFILES: ReadonlyMap<number, { bitDepths: readonly number[]; chroma: readonly number[] }> = new Map([
  [0, { bitDepths: [8], chroma: [CHROMA_420_VERTICAL, CHROMA_420_COLOCATED] }],
  [1, { bitDepths: [8], chroma: [CHROMA_422, CHROMA_444] }],
  [2, { bitDepths: [10, 12], chroma: [CHROMA_420_VERTICAL, CHROMA_420_COLOCATED] }],
  [3, { bitDepths: [10, 12], chroma: [CHROMA_422, CHROMA_444] }],
]);

// webmproject.org/vp9/levels: [LL, max luma sample rate, max luma picture size, max luma picture breadth].
const VP9_LEVEL_LIMITS: readonly (readonly [number, number, number, number])[] = [
  [10, 829440, 36864, 512],
  [11, 2764800, 73728, 768],
  [20, 4608000, 122880, 960],
  [21, 9216000, 245760, 1344],
  [30, 20736000, 552960, 2048],
  [31, 36864000, 983040, 2752],
  [40, 83558400, 2228224, 4160],
  [41, 160432128, 2228224, 4160],
  [50, 311951360, 8912896, 8384],
  [51, 588251136, 8912896, 8384],
  [52, 1176502272, 8912896, 8384],
  [60, 1176502272, 35651584, 16832],
  [61, 2353004544, 35651584, 16832],
  [62, 4706009088, 35651584, 16832],
];

/** VP9 level limits in luma samples, ascending. */
export const VP9_LEVELS = {
  // VP9 frames may have any size; the limits bind the frame as coded.
  blockSize: 1,
  rows: VP9_LEVEL_LIMITS.map(([level, maxSampleRate, maxPictureSize, maxBreadth]) => ({
    level,
    maxPictureSize,
    maxSampleRate,
    maxWidth: maxBreadth,
    maxHeight: maxBreadth,
  })),
};

const VP9_LEVEL_VALUES: ReadonlySet<number> = new Set(VP9_LEVEL_LIMITS.map(([level]) => level));

export function parseVp9(codec: string): ParsedVp9 | null {
  const match = VP9_PATTERN.exec(codec);
  if (match === null) return null;
  const [profile, level, bitDepth] = match.slice(1, 4).map(Number);
  const format = VP9_PROFILES.get(profile);
  if (format === undefined || !format.bitDepths.includes(bitDepth) || !VP9_LEVEL_VALUES.has(level)) return null;
  const parsed: ParsedVp9 = { kind: 'vp9', codec, profile, level, bitDepth };
  if (match[4] === undefined) return parsed;

  const [chromaSubsampling, colorPrimaries, transferCharacteristics, matrixCoefficients, fullRange] = match
    .slice(4)
    .map(Number);
  if (
    !format.chroma.includes(chromaSubsampling) ||
    !COLOR_PRIMARIES.has(colorPrimaries) ||
    !TRANSFER_CHARACTERISTICS.has(transferCharacteristics) ||
    !MATRIX_COEFFICIENTS.has(matrixCoefficients) ||
    fullRange > 1
  ) {
    return null;
  }
  // The binding: "If matrixCoefficients is 0 (RGB), then chroma subsampling MUST be 3 (4:4:4)."
  if (matrixCoefficients === MATRIX_IDENTITY && chromaSubsampling !== CHROMA_444) return null;
  return {
    ...parsed,
    chromaSubsampling,
    colorPrimaries,
    transferCharacteristics,
    matrixCoefficients,
    fullRange: fullRange === 1,
  };
}
