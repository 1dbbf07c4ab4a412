// AV1: "av01.P.LLT.DD[.M.CCC.cp.tc.mc.F]" per §5 (Codecs Parameter String) of the AV1
// Codec ISO Media File Format Binding. P, M and F are one digit, CCC three, the rest two;
// the six fields after the bit depth are optional but all-or-none.
import type { ParsedVideoCodec } from './index.js';
import { COLOR_PRIMARIES, MATRIX_COEFFICIENTS, MATRIX_IDENTITY, TRANSFER_CHARACTERISTICS } from './vp9.js';

export type ParsedAv1 = Extract<ParsedVideoCodec, { kind: 'av1' }>;

const AV1_PATTERN =
  /^av01\.(\d)\.(\d{2})([MH])\.(\d{2})(?:\.([01])\.(\d{2})(\d)\.(\d{2})\.(\d{2})\.(\d{2})\.([01]))?$/;

const TIERS: ReadonlyMap<string, ParsedAv1['tier']> = new Map([
  ['M', 'main'],
  ['H', 'high'],
]);

// Subsampling as the string writes it: subsampling_x followed by subsampling_y.
const SUBSAMPLING_420 = '11';
const SUBSAMPLING_422 = '10';
const SUBSAMPLING_444 = '00';

interface Av1Format {
  profile: number;
  bitDepths: readonly number[];
  subsampling: readonly string[];
  monochrome: boolean;
}

// Annex A profiles, with the subsampling colour_config (§5.5.2) allows each per bit depth.
const AV1_FORMATS: readonly Av1Format[] = [
  { profile: 0, bitDepths: [8, 10], subsampling: [SUBSAMPLING_420], monochrome: true }, // Main
  { profile: 1, bitDepths: [8, 10], subsampling: [SUBSAMPLING_444], monochrome: false }, // High
  { profile: 2, bitDepths: [8, 10], subsampling: [SUBSAMPLING_422], monochrome: true }, // Professional
  { profile: 2, bitDepths: [12], subsampling: [SUBSAMPLING_420, SUBSAMPLING_422, SUBSAMPLING_444], monochrome: true },
];

// chroma_sample_position (coded only for 4:2:0): 0 unknown, 1 vertical, 2 colocated, 3 reserved.
const CHROMA_SAMPLE_POSITIONS: ReadonlySet<number> = new Set([0, 1, 2]);
// §5.5.2: a monochrome sequence infers 4:2:0 with an unknown sample position.
const MONOCHROME_CHROMA = '110';

// Annex A.3: [seq_level_idx, MaxPicSize, MaxHSize, MaxVSize, MaxDisplayRate]. Indices
// missing here (2.2, 2.3, 3.2, ...) are levels the spec has not defined yet.
const AV1_LEVEL_LIMITS: readonly (readonly [number, number, number, number, number])[] = [
  [0, 147456, 2048, 1152, 4423680],
  [1, 278784, 2816, 1584, 8363520],
  [4, 665856, 4352, 2448, 19975680],
  [5, 1065024, 5504, 3096, 31950720],
  [8, 2359296, 6144, 3456, 70778880],
  [9, 2359296, 6144, 3456, 141557760],
  [12, 8912896, 8192, 4352, 267386880],
  [13, 8912896, 8192, 4352, 534773760],
  [14, 8912896, 8192, 4352, 1069547520],
  [15, 8912896, 8192, 4352, 1069547520],
  [16, 35651584, 16384, 8704, 1069547520],
  [17, 35651584, 16384, 8704, 2139095040],
  [18, 35651584, 16384, 8704, 4278190080],
  [19, 35651584, 16384, 8704, 4278190080],
];

// seq_level_idx 31 is "maximum parameters": valid, but with no limits to report.
const MAX_PARAMETERS_LEVEL = 31;
// §5.5.1: seq_tier is only coded for seq_level_idx > 7; below that it is inferred Main.
const HIGHEST_MAIN_ONLY_LEVEL = 7;

/** AV1 level limits in luma samples, ascending. */
export const AV1_LEVELS = {
  // AV1 frames may have any size; the limits bind UpscaledWidth x FrameHeight.
  blockSize: 1,
  rows: AV1_LEVEL_LIMITS.map(([level, maxPictureSize, maxWidth, maxHeight, maxSampleRate]) => ({
    level,
    maxPictureSize,
    maxSampleRate,
    maxWidth,
    maxHeight,
  })),
};

const AV1_LEVEL_VALUES: ReadonlySet<number> = new Set([
  ...AV1_LEVEL_LIMITS.map(([level]) => level),
  MAX_PARAMETERS_LEVEL,
]);

// §6.4.2: BT.709 primaries + sRGB transfer + identity matrix implies full range.
const SRGB = { colorPrimaries: 1, transferCharacteristics: 13 };

export function parseAv1(codec: string): ParsedAv1 | null {
  const match = AV1_PATTERN.exec(codec);
  if (match === null) return null;
  const profile = Number(match[1]);
  const level = Number(match[2]);
  const tier = TIERS.get(match[3]);
  const bitDepth = Number(match[4]);
  const format = AV1_FORMATS.find((f) => f.profile === profile && f.bitDepths.includes(bitDepth));
  if (format === undefined || tier === undefined || !AV1_LEVEL_VALUES.has(level)) return null;
  if (tier === 'high' && level <= HIGHEST_MAIN_ONLY_LEVEL) return null;
  const parsed: ParsedAv1 = { kind: 'av1', codec, profile, level, tier, bitDepth };
  if (match[5] === undefined) return parsed;

  const [mono, subsampling, position, cp, tc, mc, range] = match.slice(5);
  const monochrome = mono === '1';
  const chromaSubsampling = `${subsampling}${position}`;
  const samplePosition = Number(position);
  const chromaValid = monochrome
    ? format.monochrome && chromaSubsampling === MONOCHROME_CHROMA
    : format.subsampling.includes(subsampling) &&
      (subsampling === SUBSAMPLING_420 ? CHROMA_SAMPLE_POSITIONS.has(samplePosition) : samplePosition === 0);
  if (!chromaValid) return null;
  const colorPrimaries = Number(cp);
  const transferCharacteristics = Number(tc);
  const matrixCoefficients = Number(mc);
  const fullRange = range === '1';
  if (
    !COLOR_PRIMARIES.has(colorPrimaries) ||
    !TRANSFER_CHARACTERISTICS.has(transferCharacteristics) ||
    !MATRIX_COEFFICIENTS.has(matrixCoefficients)
  ) {
    return null;
  }
  // §6.4.2: the identity matrix requires 4:4:4 (which also rules out monochrome).
  if (matrixCoefficients === MATRIX_IDENTITY && subsampling !== SUBSAMPLING_444) return null;
  const isSrgb =
    colorPrimaries === SRGB.colorPrimaries &&
    transferCharacteristics === SRGB.transferCharacteristics &&
    matrixCoefficients === MATRIX_IDENTITY;
  if (isSrgb && !fullRange) return null;
  return {
    ...parsed,
    monochrome,
    chromaSubsampling,
    colorPrimaries,
    transferCharacteristics,
    matrixCoefficients,
    fullRange,
  };
}
