// Codec strings of the WebCodecs Codec Registry (https://www.w3.org/TR/webcodecs-codec-registry/),
// one module per registration family, plus the level tables an encoder needs to label its output.
import { AV1_LEVELS, parseAv1 } from './av1.js';
import { AVC_LEVELS, avcEffectiveLevel, parseAvc } from './avc.js';
import { parseAudio } from './audio.js';
import { HEVC_LEVELS, parseHevc } from './hevc.js';
import { parseVp8 } from './vp8.js';
import { VP9_LEVELS, parseVp9 } from './vp9.js';

export type ParsedVideoCodec =
  | { kind: 'avc'; codec: string; profile: number; constraints: number; level: number; /* level_idc, e.g. 31 */ }
  | {
      kind: 'hevc';
      codec: string;
      profileSpace: number;
      profile: number;
      /** Bit j is general_profile_compatibility_flag[j] (the value as the string writes it). */
      compatibilityFlags: number;
      tier: 'main' | 'high';
      level: number; /* general_level_idc, e.g. 93 */
      /** general_constraint_indicator_flags bytes as written (trailing zero bytes may be absent). */
      constraints: number[];
    }
  | { kind: 'vp8'; codec: string }
  | {
      kind: 'vp9';
      codec: string;
      profile: number;
      level: number; /* as written, e.g. 41 for level 4.1 */
      bitDepth: number;
      chromaSubsampling?: number;
      colorPrimaries?: number;
      transferCharacteristics?: number;
      matrixCoefficients?: number;
      fullRange?: boolean;
    }
  | {
      kind: 'av1';
      codec: string;
      profile: number;
      level: number; /* seq_level_idx, e.g. 8 for level 4.0 */
      tier: 'main' | 'high';
      bitDepth: number;
      monochrome?: boolean;
      chromaSubsampling?: string;
      colorPrimaries?: number;
      transferCharacteristics?: number;
      matrixCoefficients?: number;
      fullRange?: boolean;
    };

export type ParsedAudioCodec =
  | { kind: 'aac'; codec: string; objectType: number } // mp4a.40.2, mp4a.40.5, mp4a.40.29, mp4a.67 (MPEG-2 AAC LC) ...
  | { kind: 'mp3'; codec: string } // 'mp3', mp4a.69, mp4a.6B
  | { kind: 'opus' | 'flac' | 'vorbis' | 'ulaw' | 'alaw'; codec: string }
  | { kind: 'pcm'; codec: string; format: 'u8' | 's16' | 's24' | 's32' | 'f32' };

// The families are told apart by their prefixes, so at most one parser accepts a string.
const VIDEO_PARSERS: readonly ((codec: string) => ParsedVideoCodec | null)[] = [
  parseAvc,
  parseHevc,
  parseVp8,
  parseVp9,
  parseAv1,
];

// Each family's limits in luma samples, ascending by level.
interface LevelTable {
  /** Coded pictures are whole blocks of this size, so the limits bind the rounded-up size. */
  readonly blockSize: number;
  readonly rows: readonly {
    readonly level: number;
    readonly maxPictureSize: number;
    readonly maxSampleRate: number;
    readonly maxWidth: number;
    readonly maxHeight: number;
  }[];
}

const LEVEL_TABLES: ReadonlyMap<string, LevelTable> = new Map([
  ['avc', AVC_LEVELS],
  ['hevc', HEVC_LEVELS],
  ['vp9', VP9_LEVELS],
  ['av1', AV1_LEVELS],
]);

// The typeof checks keep the never-throw promise for JavaScript callers passing non-strings.
export function parseVideoCodecString(codec: string): ParsedVideoCodec | null {
  if (typeof codec !== 'string') return null;
  for (const parse of VIDEO_PARSERS) {
    const parsed = parse(codec);
    if (parsed !== null) return parsed;
  }
  return null;
}

export function parseAudioCodecString(codec: string): ParsedAudioCodec | null {
  return typeof codec === 'string' ? parseAudio(codec) : null;
}

/** Largest picture (luma samples) and sample rate (luma samples per second) a level allows, or null if unknown. */
export function videoLevelLimits(
  parsed: ParsedVideoCodec,
): { maxPictureSize: number; maxSampleRate: number; maxDimension?: number } | null {
  // VP8 defines no levels.
  if (parsed.kind === 'vp8') return null;
  const level = parsed.kind === 'avc' ? avcEffectiveLevel(parsed) : parsed.level;
  const row = LEVEL_TABLES.get(parsed.kind)?.rows.find((r) => r.level === level);
  if (row === undefined) return null;
  return {
    maxPictureSize: row.maxPictureSize,
    maxSampleRate: row.maxSampleRate,
    // AV1 limits width and height separately; this is the larger (the width limit).
    maxDimension: Math.max(row.maxWidth, row.maxHeight),
  };
}

/**
 * The smallest level of the family that fits width x height at framerate (for building a codec
 * string for an encoder's output); null if none. Bit rate is not considered.
 */
export function smallestFittingLevel(
  kind: 'avc' | 'hevc' | 'vp9' | 'av1',
  width: number,
  height: number,
  framerate: number,
): number | null {
  const table = LEVEL_TABLES.get(kind);
  if (table === undefined || !isPositiveInteger(width) || !isPositiveInteger(height)) return null;
  if (!Number.isFinite(framerate) || framerate <= 0) return null;
  const codedWidth = roundUp(width, table.blockSize);
  const codedHeight = roundUp(height, table.blockSize);
  const pictureSize = codedWidth * codedHeight;
  const row = table.rows.find(
    (r) =>
      codedWidth <= r.maxWidth &&
      codedHeight <= r.maxHeight &&
      pictureSize <= r.maxPictureSize &&
      pictureSize * framerate <= r.maxSampleRate,
  );
  return row?.level ?? null;
}

function isPositiveInteger(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
