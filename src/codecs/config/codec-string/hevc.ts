// HEVC (H.265): "hev1." / "hvc1." + the fields of ISO/IEC 14496-15 Annex E.3:
//   [A|B|C]<general_profile_idc> . <compatibility flags, hex> . <L|H><general_level_idc> . <constraint byte, hex> ...
import type { ParsedVideoCodec } from './index.js';

export type ParsedHevc = Extract<ParsedVideoCodec, { kind: 'hevc' }>;

// Decimal fields are written without leading zeros. The compatibility flags may drop
// leading zeros (so 1-8 digits); constraint bytes are 1-2 digits. The registration
// speaks of four fields, so at least one constraint byte is required; E.3 allows up to
// six, trailing zero bytes being optional.
const HEVC_PATTERN =
  /^(?:hev1|hvc1)\.([ABC]?)([1-9]\d?)\.([0-9A-Fa-f]{1,8})\.([LH])([1-9]\d{0,2})((?:\.[0-9A-Fa-f]{1,2}){1,6})$/;

// general_profile_space 0 is written as nothing, 1-3 as A-C.
const PROFILE_SPACES: ReadonlyMap<string, number> = new Map([
  ['', 0],
  ['A', 1],
  ['B', 2],
  ['C', 3],
]);

const HEVC_PROFILES: ReadonlySet<number> = new Set([
  1, // Main
  2, // Main 10
  3, // Main Still Picture
  4, // Format range extensions
  5, // High throughput
  6, // Multiview Main
  7, // Scalable Main
  8, // 3D Main
  9, // Screen content coding extensions
  10, // Scalable format range extensions
  11, // High throughput screen content coding extensions
]);

const TIERS: ReadonlyMap<string, ParsedHevc['tier']> = new Map([
  ['L', 'main'],
  ['H', 'high'],
]);

// H.265 Annex A general tier and level limits: [general_level_idc (30 x level), MaxLumaPs, MaxLumaSr].
const HEVC_LEVEL_LIMITS: readonly (readonly [number, number, number])[] = [
  [30, 36864, 552960],
  [60, 122880, 3686400],
  [63, 245760, 7372800],
  [90, 552960, 16588800],
  [93, 983040, 33177600],
  [120, 2228224, 66846720],
  [123, 2228224, 133693440],
  [150, 8912896, 267386880],
  [153, 8912896, 534773760],
  [156, 8912896, 1069547520],
  [180, 35651584, 1069547520],
  [183, 35651584, 2139095040],
  [186, 35651584, 4278190080],
];

// The level table defines no High tier below level 4.
const LOWEST_HIGH_TIER_LEVEL = 120;

/** HEVC level limits in luma samples, ascending. */
export const HEVC_LEVELS = {
  // pic_width/height_in_luma_samples are multiples of MinCbSizeY, which is at least 8.
  blockSize: 8,
  rows: HEVC_LEVEL_LIMITS.map(([level, maxLumaPs, maxLumaSr]) => {
    // A.4.1: neither dimension may exceed Sqrt(MaxLumaPs * 8).
    const maxSide = Math.floor(Math.sqrt(maxLumaPs * 8));
    return { level, maxPictureSize: maxLumaPs, maxSampleRate: maxLumaSr, maxWidth: maxSide, maxHeight: maxSide };
  }),
};

const HEVC_LEVEL_IDCS: ReadonlySet<number> = new Set(HEVC_LEVEL_LIMITS.map(([level]) => level));

export function parseHevc(codec: string): ParsedHevc | null {
  const match = HEVC_PATTERN.exec(codec);
  if (match === null) return null;
  const [, spaceLetter, profileDigits, flagsHex, tierLetter, levelDigits, constraintFields] = match;
  const profileSpace = PROFILE_SPACES.get(spaceLetter);
  const tier = TIERS.get(tierLetter);
  const profile = Number(profileDigits);
  const level = Number(levelDigits);
  if (profileSpace === undefined || tier === undefined) return null;
  if (!HEVC_PROFILES.has(profile) || !HEVC_LEVEL_IDCS.has(level)) return null;
  if (tier === 'high' && level < LOWEST_HIGH_TIER_LEVEL) return null;
  return {
    kind: 'hevc',
    codec,
    profileSpace,
    profile,
    // E.3 writes the 32 flags in reverse bit order, so the value as written has
    // general_profile_compatibility_flag[j] in bit j.
    compatibilityFlags: parseInt(flagsHex, 16),
    tier,
    level,
    constraints: constraintFields.slice(1).split('.').map((hex) => parseInt(hex, 16)),
  };
}
