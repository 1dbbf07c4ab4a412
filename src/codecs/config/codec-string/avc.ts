// AVC (H.264): "avc1.PPCCLL" / "avc3.PPCCLL" per RFC 6381 §3.4 and ISO/IEC 14496-15 §5.4.1,
// the three bytes of the SPS (profile_idc, constraint_set flags, level_idc) in hexadecimal.
import type { ParsedVideoCodec } from './index.js';

export type ParsedAvc = Extract<ParsedVideoCodec, { kind: 'avc' }>;

// The fourcc is case sensitive; the hex digits are not (RFC 6381 only says "hexadecimal").
const AVC_PATTERN = /^(?:avc1|avc3)\.([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})$/;

const AVC_PROFILES: ReadonlySet<number> = new Set([
  66, // Baseline (and Constrained Baseline, which is Baseline + constraint_set1)
  77, // Main
  88, // Extended
  100, // High
  110, // High 10
  122, // High 4:2:2
  244, // High 4:4:4 Predictive
  44, // CAVLC 4:4:4 Intra
]);

// H.264 Table A-1: [level_idc, MaxMBPS (macroblocks/s), MaxFS (macroblocks)].
// level_idc 9 is level 1b. It follows level 1 because it allows no larger picture or
// rate, so a search for the smallest fitting level never lands on it.
const AVC_LEVEL_LIMITS: readonly (readonly [number, number, number])[] = [
  [10, 1485, 99],
  [9, 1485, 99],
  [11, 3000, 396],
  [12, 6000, 396],
  [13, 11880, 396],
  [20, 11880, 396],
  [21, 19800, 792],
  [22, 20250, 1620],
  [30, 40500, 1620],
  [31, 108000, 3600],
  [32, 216000, 5120],
  [40, 245760, 8192],
  [41, 245760, 8192],
  [42, 522240, 8704],
  [50, 589824, 22080],
  [51, 983040, 36864],
  [52, 2073600, 36864],
  [60, 4177920, 139264],
  [61, 8355840, 139264],
  [62, 16711680, 139264],
];

const MACROBLOCK = 16;
const LUMA_SAMPLES_PER_MACROBLOCK = MACROBLOCK * MACROBLOCK;
const LEVEL_1B = 9;

/** AVC level limits in luma samples, ascending. */
export const AVC_LEVELS = {
  // Pictures are coded in whole macroblocks, so the limits bind the rounded-up size.
  blockSize: MACROBLOCK,
  rows: AVC_LEVEL_LIMITS.map(([level, maxMbps, maxFs]) => {
    // A.3.1: neither dimension may exceed Sqrt(MaxFS * 8) macroblocks.
    const maxSide = Math.floor(Math.sqrt(maxFs * 8)) * MACROBLOCK;
    return {
      level,
      maxPictureSize: maxFs * LUMA_SAMPLES_PER_MACROBLOCK,
      maxSampleRate: maxMbps * LUMA_SAMPLES_PER_MACROBLOCK,
      maxWidth: maxSide,
      maxHeight: maxSide,
    };
  }),
};

const AVC_LEVEL_IDCS: ReadonlySet<number> = new Set(AVC_LEVEL_LIMITS.map(([level]) => level));

// A.3.1/A.3.2: these profiles write level 1b as level_idc 11 with constraint_set3_flag set;
// the High profiles use level_idc 9 instead (and give constraint_set3 another meaning).
const LEVEL_1B_BY_CONSTRAINT_SET3: ReadonlySet<number> = new Set([66, 77, 88]);
const CONSTRAINT_SET3_FLAG = 0x10;

export function parseAvc(codec: string): ParsedAvc | null {
  const match = AVC_PATTERN.exec(codec);
  if (match === null) return null;
  const [, profileHex, constraintsHex, levelHex] = match;
  const profile = parseInt(profileHex, 16);
  const constraints = parseInt(constraintsHex, 16);
  const level = parseInt(levelHex, 16);
  if (!AVC_PROFILES.has(profile) || !AVC_LEVEL_IDCS.has(level)) return null;
  return { kind: 'avc', codec, profile, constraints, level };
}

/** The level_idc whose limits apply: level_idc 11 means 1b in the profiles that signal it that way. */
export function avcEffectiveLevel(parsed: ParsedAvc): number {
  const meansLevel1b =
    parsed.level === 11 &&
    LEVEL_1B_BY_CONSTRAINT_SET3.has(parsed.profile) &&
    (parsed.constraints & CONSTRAINT_SET3_FLAG) !== 0;
  return meansLevel1b ? LEVEL_1B : parsed.level;
}
