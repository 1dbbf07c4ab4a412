// AudioSampleFormat (spec "Audio Sample Format"): sizes, arrangement, and exact conversion
// between every pair of formats for AudioData.copyTo().
//
// Conversion rule (one rule for every pair): a sample is read as a value in [-1, 1) by removing
// its bias and dividing by 2^(bits-1) (u8: (x - 128) / 128, s16: x / 32768, s32: x / 2^31; f32
// as is), then written by multiplying by the destination's 2^(bits-1), rounding to nearest
// (halves away from zero), clamping to the type's range and adding the bias (f32: stored as
// is, never clamped, as the spec asks). All scaling is by powers of two in double precision, so
// each step is exact: widening integer conversions are plain shifts, int -> f32 -> int gives
// the original sample back, and 24-bit content in s32 (the spec's left-shifted form) survives
// s32 -> f32 -> s32. Chromium instead scales positive values by 2^(bits-1) - 1 and truncates;
// this rule is the one the spec's magnitude table implies and keeps the round trips exact.

export const AUDIO_SAMPLE_FORMATS = ['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar'] as const;
export type AudioSampleFormat = (typeof AUDIO_SAMPLE_FORMATS)[number];

type SampleType = 'u8' | 's16' | 's32' | 'f32';

export function isAudioSampleFormat(value: unknown): value is AudioSampleFormat {
  return (AUDIO_SAMPLE_FORMATS as readonly unknown[]).includes(value);
}

export function isPlanar(format: AudioSampleFormat): boolean {
  return format.endsWith('-planar');
}

function sampleType(format: AudioSampleFormat): SampleType {
  return format.replace('-planar', '') as SampleType;
}

export function bytesPerSample(format: AudioSampleFormat): number {
  switch (sampleType(format)) {
    case 'u8':
      return 1;
    case 's16':
      return 2;
    default:
      return 4;
  }
}

type Samples = Uint8Array | Int16Array | Int32Array | Float32Array;

/** A typed view of `bytes` (which must start at an offset aligned for the type). */
function view(bytes: Uint8Array, type: SampleType): Samples {
  const count = bytes.byteLength / (type === 'u8' ? 1 : type === 's16' ? 2 : 4);
  switch (type) {
    case 'u8':
      return bytes;
    case 's16':
      return new Int16Array(bytes.buffer, bytes.byteOffset, count);
    case 's32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, count);
    case 'f32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  }
}

const SCALE: Record<Exclude<SampleType, 'f32'>, number> = { u8: 128, s16: 32768, s32: 2147483648 };

function reader(samples: Samples, type: SampleType): (i: number) => number {
  if (type === 'f32') return (i) => samples[i]!;
  const scale = SCALE[type];
  const bias = type === 'u8' ? 128 : 0;
  return (i) => (samples[i]! - bias) / scale;
}

function writer(samples: Samples, type: SampleType): (i: number, value: number) => void {
  if (type === 'f32') {
    return (i, value) => {
      samples[i] = value;
    };
  }
  const scale = SCALE[type];
  const bias = type === 'u8' ? 128 : 0;
  return (i, value) => {
    if (Number.isNaN(value)) {
      samples[i] = bias;
      return;
    }
    const scaled = value * scale;
    const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
    samples[i] = Math.min(Math.max(rounded, -scale), scale - 1) + bias;
  };
}

/** Where samples sit in a buffer: element `first + k * step` holds the k-th sample copied. */
export interface SampleRun {
  bytes: Uint8Array;
  format: AudioSampleFormat;
  first: number;
  step: number;
}

/** Converts `count` samples from `src` to `dst` with the rule above. Both byte arrays must be
 * aligned for their sample type (callers copy into fresh buffers). */
export function convertSamples(src: SampleRun, dst: SampleRun, count: number): void {
  const read = reader(view(src.bytes, sampleType(src.format)), sampleType(src.format));
  const write = writer(view(dst.bytes, sampleType(dst.format)), sampleType(dst.format));
  for (let k = 0, i = src.first, o = dst.first; k < count; k++, i += src.step, o += dst.step) write(o, read(i));
}
