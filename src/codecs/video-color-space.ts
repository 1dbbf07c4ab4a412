// Spec "Video Color Space Interface", plus the mapping to and from FFmpeg's colour enums. The
// spec's enum values are defined by their ITU-T H.273 (ISO/IEC 23091-4) code points, and
// FFmpeg's AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace use those same code
// points, so the mapping is a table of H.273 numbers.

import { isRgbFormat, type VideoPixelFormat } from './pixel-format.js';
import { requireDictionary } from './webidl.js';

export type VideoColorPrimaries = 'bt709' | 'bt470bg' | 'smpte170m' | 'bt2020' | 'smpte432';
export type VideoTransferCharacteristics = 'bt709' | 'smpte170m' | 'iec61966-2-1' | 'linear' | 'pq' | 'hlg';
export type VideoMatrixCoefficients = 'rgb' | 'bt709' | 'bt470bg' | 'smpte170m' | 'bt2020-ncl';

export interface VideoColorSpaceInit {
  primaries?: VideoColorPrimaries | null;
  transfer?: VideoTransferCharacteristics | null;
  matrix?: VideoMatrixCoefficients | null;
  fullRange?: boolean | null;
}

/** H.273 section 8.1 table 2 (AVColorPrimaries). */
const PRIMARIES: Readonly<Record<VideoColorPrimaries, number>> = {
  bt709: 1,
  bt470bg: 5,
  smpte170m: 6,
  bt2020: 9,
  smpte432: 12,
};

/** H.273 section 8.2 table 3 (AVColorTransferCharacteristic). */
const TRANSFER: Readonly<Record<VideoTransferCharacteristics, number>> = {
  bt709: 1,
  smpte170m: 6,
  linear: 8,
  'iec61966-2-1': 13,
  pq: 16,
  hlg: 18,
};

/** H.273 section 8.3 table 4 (AVColorSpace). */
const MATRIX: Readonly<Record<VideoMatrixCoefficients, number>> = {
  rgb: 0,
  bt709: 1,
  bt470bg: 5,
  smpte170m: 6,
  'bt2020-ncl': 9,
};

/** AVColorRange: AVCOL_RANGE_MPEG (limited, "TV") and AVCOL_RANGE_JPEG (full, "PC"). */
const AVCOL_RANGE_MPEG = 1;
const AVCOL_RANGE_JPEG = 2;

/** WebIDL conversion of a nullable enum member: undefined and null mean "absent" (null); any
 * other value is stringified and must be one of the enum's values. */
function nullableEnum<T extends string>(table: Readonly<Record<T, number>>, value: unknown, member: string): T | null {
  if (value === undefined || value === null) return null;
  const name = String(value);
  if (!Object.hasOwn(table, name)) {
    const allowed = Object.keys(table).map((k) => `'${k}'`).join(', ');
    throw new TypeError(`VideoColorSpaceInit.${member} must be one of ${allowed} or null (got '${name}')`);
  }
  return name as T;
}

/** The enum value whose H.273 code point is `code`, or null when WebCodecs has no name for it
 * (including 2, "unspecified"). */
function fromCode<T extends string>(table: Readonly<Record<T, number>>, code: number): T | null {
  for (const name of Object.keys(table) as T[]) {
    if (table[name] === code) return name;
  }
  return null;
}

export class VideoColorSpace {
  readonly #primaries: VideoColorPrimaries | null;
  readonly #transfer: VideoTransferCharacteristics | null;
  readonly #matrix: VideoMatrixCoefficients | null;
  readonly #fullRange: boolean | null;

  constructor(init?: VideoColorSpaceInit) {
    const dict = requireDictionary(init, 'VideoColorSpaceInit');
    // WebIDL converts dictionary members in lexicographic order, so that is the order in which
    // an invalid member is reported.
    const fullRange = dict.fullRange;
    this.#fullRange = fullRange === undefined || fullRange === null ? null : Boolean(fullRange);
    this.#matrix = nullableEnum(MATRIX, dict.matrix, 'matrix');
    this.#primaries = nullableEnum(PRIMARIES, dict.primaries, 'primaries');
    this.#transfer = nullableEnum(TRANSFER, dict.transfer, 'transfer');
  }

  get primaries(): VideoColorPrimaries | null {
    return this.#primaries;
  }

  get transfer(): VideoTransferCharacteristics | null {
    return this.#transfer;
  }

  get matrix(): VideoMatrixCoefficients | null {
    return this.#matrix;
  }

  get fullRange(): boolean | null {
    return this.#fullRange;
  }

  /** WebIDL [Default] toJSON: every attribute, nulls included. */
  toJSON(): { primaries: VideoColorPrimaries | null; transfer: VideoTransferCharacteristics | null; matrix: VideoMatrixCoefficients | null; fullRange: boolean | null } {
    return { primaries: this.#primaries, transfer: this.#transfer, matrix: this.#matrix, fullRange: this.#fullRange };
  }

  get [Symbol.toStringTag](): string {
    return 'VideoColorSpace';
  }
}

/** The colour description of a decoded AVFrame. FFmpeg values WebCodecs cannot name (e.g.
 * unspecified, BT.470M, BT.2020 10-bit transfer) become null, as does AVCOL_RANGE_UNSPECIFIED. */
export function colorSpaceFromFFmpeg({
  primaries,
  transfer,
  matrix,
  range,
}: {
  primaries: number;
  transfer: number;
  matrix: number;
  range: number;
}): VideoColorSpace {
  return new VideoColorSpace({
    primaries: fromCode(PRIMARIES, primaries),
    transfer: fromCode(TRANSFER, transfer),
    matrix: fromCode(MATRIX, matrix),
    fullRange: range === AVCOL_RANGE_JPEG ? true : range === AVCOL_RANGE_MPEG ? false : null,
  });
}

/** FFmpeg code points for the members that are set; null members are left out so the encoder
 * keeps FFmpeg's "unspecified" default for them. */
export function colorSpaceToFFmpeg(cs: VideoColorSpace | VideoColorSpaceInit): {
  primaries?: number;
  transfer?: number;
  matrix?: number;
  fullRange?: boolean;
} {
  // A plain init is validated first so an unknown enum string throws instead of mapping to
  // undefined.
  const c = cs instanceof VideoColorSpace ? cs : new VideoColorSpace(cs);
  const out: { primaries?: number; transfer?: number; matrix?: number; fullRange?: boolean } = {};
  if (c.primaries != null) out.primaries = PRIMARIES[c.primaries];
  if (c.transfer != null) out.transfer = TRANSFER[c.transfer];
  if (c.matrix != null) out.matrix = MATRIX[c.matrix];
  if (c.fullRange != null) out.fullRange = c.fullRange;
  return out;
}

/**
 * Spec "Pick Color Space" (with overrideColorSpace = init): a colour space given by the caller is
 * used as is, its absent members staying null (the spec only permits, not requires, guessing
 * them, and the web-platform tests expect nulls); otherwise the format's default, the sRGB Color
 * Space for RGB formats and the REC709 Color Space (limited range) for YUV formats.
 */
export function pickDefaultColorSpace(format: VideoPixelFormat, init?: VideoColorSpaceInit): VideoColorSpace {
  if (init !== undefined) return new VideoColorSpace(init);
  if (isRgbFormat(format)) {
    return new VideoColorSpace({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });
  }
  return new VideoColorSpace({ primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false });
}
