// "Implementers SHOULD inspect the chunk's [[internal data]] to verify that it is truly a key
// chunk": true/false where the bitstream tells, undefined where we cannot tell cheaply.
import type { ParsedVideoCodec } from './codec-string/index.js';

/** NAL unit types of each NAL in an Annex B buffer (lengthSize 0) or a buffer of NAL units with
 * big-endian length prefixes of `lengthSize` bytes (H.264/HEVC "avc"/"hevc" formats). */
function nalTypes(data: Uint8Array, lengthSize: number, hevc: boolean): number[] {
  const types: number[] = [];
  const typeOf = (byte: number) => (hevc ? (byte >> 1) & 0x3f : byte & 0x1f);
  if (lengthSize > 0) {
    let i = 0;
    while (i + lengthSize < data.length) {
      let size = 0;
      for (let b = 0; b < lengthSize; b++) size = size * 256 + data[i + b]!;
      types.push(typeOf(data[i + lengthSize]!));
      i += lengthSize + size;
    }
    return types;
  }
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      types.push(typeOf(data[i + 3]!));
      i += 2;
    }
  }
  return types;
}

/** The NAL length size an avcC (byte 4) or hvcC (byte 21) record declares; 0 (Annex B) without one. */
function nalLengthSize(description: Uint8Array | undefined, offset: number): number {
  if (description === undefined || description.length <= offset) return 0;
  return (description[offset]! & 3) + 1;
}

const OBU_SEQUENCE_HEADER = 1;
const OBU_FRAME_HEADER = 3;
const OBU_FRAME = 6;

/** AV1 (low-overhead format): a key temporal unit starts with a sequence header, and its first
 * frame header is not show_existing_frame and has frame_type KEY_FRAME (0). undefined if the
 * OBUs cannot be walked. */
function isAv1Key(data: Uint8Array): boolean | undefined {
  let i = 0;
  let sawSequenceHeader = false;
  while (i < data.length) {
    const header = data[i]!;
    const type = (header >> 3) & 0xf;
    const hasExtension = (header & 4) !== 0;
    const hasSize = (header & 2) !== 0;
    i += 1 + (hasExtension ? 1 : 0);
    let size = data.length - i;
    if (hasSize) {
      size = 0;
      for (let shift = 0; ; shift += 7) {
        if (i >= data.length || shift > 56) return undefined;
        const byte = data[i++]!;
        size += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) break;
      }
    }
    if (i + size > data.length) return undefined;
    if (type === OBU_SEQUENCE_HEADER) sawSequenceHeader = true;
    if (type === OBU_FRAME_HEADER || type === OBU_FRAME) {
      if (size === 0) return undefined;
      // uncompressed_header(), when the sequence header is not reduced_still_picture_header:
      // show_existing_frame (1 bit), then frame_type (2 bits).
      const first = data[i]!;
      if ((first & 0x80) !== 0) return false;
      return sawSequenceHeader && ((first >> 5) & 3) === 0;
    }
    i += size;
  }
  return undefined;
}

export function isKeyChunk(kind: ParsedVideoCodec['kind'], data: Uint8Array, description?: Uint8Array): boolean | undefined {
  switch (kind) {
    case 'avc': {
      const types = nalTypes(data, nalLengthSize(description, 4), false);
      if (types.length === 0) return undefined;
      return types.includes(5); // IDR slice
    }
    case 'hevc': {
      const types = nalTypes(data, nalLengthSize(description, 21), true);
      if (types.length === 0) return undefined;
      return types.some((t) => t >= 16 && t <= 21); // IRAP pictures
    }
    case 'vp8':
      return data.length > 0 ? (data[0]! & 1) === 0 : undefined; // frame tag: 0 = key frame
    case 'vp9': {
      if (data.length === 0) return undefined;
      // Uncompressed header, MSB first: frame_marker(2) profile_low(1) profile_high(1)
      // [reserved_zero(1) when profile is 3] show_existing_frame(1) frame_type(1; 0 = key).
      const bit = (i: number) => (data[0]! >> (7 - i)) & 1;
      const profile = bit(2) | (bit(3) << 1);
      const next = profile === 3 ? 5 : 4;
      if (bit(next) === 1) return undefined; // shows an existing frame: no frame type
      return bit(next + 1) === 0;
    }
    case 'av1':
      return isAv1Key(data);
    default:
      return undefined;
  }
}
