// H.264/HEVC Annex B byte streams (NAL units behind 00 00 01 start codes): finding parameter
// sets, for codec strings of elementary streams and for muxing chunks that carry no description.

/** The NAL units of an Annex B buffer, start codes removed. */
export function annexBNalUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) units.push(trimTrailingZeros(data.subarray(start, i)));
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < data.length) units.push(data.subarray(start));
  return units.filter((unit) => unit.length > 0);
}

// A 4-byte start code leaves its leading zero at the end of the previous unit.
function trimTrailingZeros(unit: Uint8Array): Uint8Array {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end--;
  return unit.subarray(0, end);
}

export type NalCodec = 'h264' | 'hevc';

/** The NAL unit type of a unit (its header's first byte(s)). */
export function nalUnitType(codec: NalCodec, unit: Uint8Array): number {
  return codec === 'h264' ? unit[0]! & 0x1f : (unit[0]! >> 1) & 0x3f;
}

// H.264 7.4.1.2: 7 SPS, 8 PPS. H.265 7.4.2.2: 32 VPS, 33 SPS, 34 PPS.
const PARAMETER_SET_TYPES: Readonly<Record<NalCodec, readonly number[]>> = { h264: [7, 8], hevc: [32, 33, 34] };
export const SPS_TYPE: Readonly<Record<NalCodec, number>> = { h264: 7, hevc: 33 };

/** The parameter sets of an Annex B buffer, as an Annex B buffer (what FFmpeg's muxers take as
 * extradata for Annex B input), or null when there are none. */
export function annexBParameterSets(codec: NalCodec, data: Uint8Array): Uint8Array | null {
  const sets = annexBNalUnits(data).filter((unit) => PARAMETER_SET_TYPES[codec].includes(nalUnitType(codec, unit)));
  if (sets.length === 0) return null;
  const out = new Uint8Array(sets.reduce((n, unit) => n + 4 + unit.length, 0));
  let offset = 0;
  for (const unit of sets) {
    out.set([0, 0, 0, 1], offset);
    out.set(unit, offset + 4);
    offset += 4 + unit.length;
  }
  return out;
}

/** A NAL unit's payload without emulation prevention bytes (00 00 03 -> 00 00). */
export function unescapeRbsp(unit: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of unit) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Uint8Array.from(out);
}
