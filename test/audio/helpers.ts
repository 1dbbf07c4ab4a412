// Audio test helpers: a deterministic sine sweep, running an AudioEncoder/AudioDecoder to
// completion, and signal-to-noise ratio.
import {
  AudioData,
  AudioDecoder,
  AudioEncoder,
  type AudioDecoderConfig,
  type AudioDecoderConfigOutput,
  type AudioEncoderConfig,
  type AudioSampleFormat,
  type EncodedAudioChunk,
} from '../../src/index.js';
import { decodeAll } from '../helpers/codecs.js';

/** A linear sine sweep from 100 Hz to 4 kHz over `seconds`, half scale, channel c phase-shifted by
 * c radians, as a function of time so any sample rate gives the same signal. Interleaved f32. */
export function sweep(sampleRate: number, channels: number, seconds = 1): Float32Array {
  const frames = Math.round(sampleRate * seconds);
  const out = new Float32Array(frames * channels);
  const f0 = 100;
  const f1 = 4000;
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const phase = 2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * seconds));
    for (let c = 0; c < channels; c++) out[i * channels + c] = 0.5 * Math.sin(phase + c);
  }
  return out;
}

/** Interleaved f32 samples in another interleaved sample type, with the AudioData conversion rule. */
export function toFormat(samples: Float32Array, format: 'u8' | 's16' | 's32' | 'f32'): ArrayBufferView {
  const scaled = (scale: number) => (v: number) => Math.min(Math.max(Math.round(v * scale), -scale), scale - 1);
  switch (format) {
    case 'u8':
      return Uint8Array.from(samples, (v) => scaled(128)(v) + 128);
    case 's16':
      return Int16Array.from(samples, scaled(32768));
    case 's32':
      return Int32Array.from(samples, scaled(2147483648));
    case 'f32':
      return samples;
  }
}

export interface EncodedAudio {
  chunks: EncodedAudioChunk[];
  decoderConfig: AudioDecoderConfigOutput;
  configs: number;
}

/** Encodes interleaved `data` (in `format`) in pieces of `pieceFrames`, starting at `timestamp`. */
export async function encodeAudio(
  config: AudioEncoderConfig,
  data: ArrayBufferView,
  format: AudioSampleFormat,
  pieceFrames: number,
  timestamp = 0,
): Promise<EncodedAudio> {
  const chunks: EncodedAudioChunk[] = [];
  const decoderConfigs: AudioDecoderConfigOutput[] = [];
  let error: unknown = null;
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk);
      if (metadata?.decoderConfig !== undefined) decoderConfigs.push(metadata.decoderConfig);
    },
    error: (e) => {
      error = e;
    },
  });
  encoder.configure(config);
  const channels = config.numberOfChannels;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const frameBytes = (data.byteLength / (data as Uint8Array).length) * channels;
  const frames = data.byteLength / frameBytes;
  for (let offset = 0; offset < frames; offset += pieceFrames) {
    const n = Math.min(pieceFrames, frames - offset);
    const piece = new AudioData({
      format,
      sampleRate: config.sampleRate,
      numberOfChannels: channels,
      numberOfFrames: n,
      timestamp: timestamp + Math.round((offset * 1e6) / config.sampleRate),
      data: bytes.subarray(offset * frameBytes, (offset + n) * frameBytes),
    });
    encoder.encode(piece);
    piece.close();
  }
  await encoder.flush();
  encoder.close();
  if (error !== null) throw error;
  if (decoderConfigs.length === 0) throw new Error('the encoder gave no decoderConfig');
  return { chunks, decoderConfig: decoderConfigs[0]!, configs: decoderConfigs.length };
}

export function decodeAudio(config: AudioDecoderConfig, chunks: EncodedAudioChunk[]): Promise<AudioData[]> {
  return decodeAll(AudioDecoder, config, chunks);
}

/** One channel of consecutive AudioData, as f32, concatenated. */
export function channelOf(datas: AudioData[], channel: number): Float32Array {
  const total = datas.reduce((sum, d) => sum + d.numberOfFrames, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const data of datas) {
    data.copyTo(out.subarray(offset, offset + data.numberOfFrames), { planeIndex: channel, format: 'f32-planar' });
    offset += data.numberOfFrames;
  }
  return out;
}

/** Channel `channel` of interleaved samples. */
export function deinterleave(samples: Float32Array, channels: number, channel: number): Float32Array {
  return Float32Array.from({ length: samples.length / channels }, (_, i) => samples[i * channels + channel]!);
}

/** SNR in dB of `test` against `reference` over reference's length. */
export function snr(reference: Float32Array, test: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - (test[i] ?? 0)) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

export function closeAll(datas: AudioData[]): void {
  for (const data of datas) data.close();
}
