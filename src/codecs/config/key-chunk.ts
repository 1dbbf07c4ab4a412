// "Implementers SHOULD inspect the chunk's [[internal data]] to verify that it is truly a key
// chunk": true/false where the bitstream tells, undefined where we cannot tell cheaply.
import type { ParsedVideoCodec } from './codec-string/index.js';

/** NAL unit types of each NAL in an Annex B or 4-byte length-prefixed H.264/HEVC buffer. */
function nalTypes(data: Uint8Array, lengthPrefixed: boolean, hevc: boolean): number[] {
  const types: number[] = [];
  const typeOf = (byte: number) => (hevc ? (byte >> 1) & 0x3f : byte & 0x1f);
  if (lengthPrefixed) {
    let i = 0;
    while (i + 4 < data.length) {
      const size = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
      types.push(typeOf(data[i + 4]!));
      i += 4 + size;
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

export function isKeyChunk(kind: ParsedVideoCodec['kind'], data: Uint8Array, hasDescription: boolean): boolean | undefined {
  switch (kind) {
    case 'avc': {
      const types = nalTypes(data, hasDescription, false);
      if (types.length === 0) return undefined;
      return types.includes(5); // IDR slice
    }
    case 'hevc': {
      const types = nalTypes(data, hasDescription, true);
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
    default:
      return undefined;
  }
}
