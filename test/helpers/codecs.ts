// Small helpers that run a spec codec to completion and collect what it produced.
import {
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  type EncodedVideoChunk,
  type EncodedVideoChunkMetadata,
  type VideoColorSpaceInit,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
  type VideoEncoderEncodeOptions,
} from '../../src/index.js';
import { i420Pattern, makeI420Frame } from './media.js';

export interface EncodedClip {
  chunks: EncodedVideoChunk[];
  metadata: EncodedVideoChunkMetadata[];
  decoderConfig: VideoDecoderConfig;
}

export async function encodeClip(config: VideoEncoderConfig, frames: number, keyEvery = 0): Promise<EncodedClip> {
  const options = (i: number) => ({ keyFrame: keyEvery > 0 && i % keyEvery === 0 });
  const { chunks, metadata, configs } = await encodeSegments([{ config, frames, options }]);
  if (configs.length === 0) throw new Error('encoder produced no decoderConfig');
  return { chunks, metadata, decoderConfig: configs[0]! };
}

/** The calls a spec decoder (VideoDecoder, AudioDecoder) has that decodeAll uses. */
interface SpecDecoder<Config, Chunk> {
  configure(config: Config): void;
  decode(chunk: Chunk): void;
  flush(): Promise<void>;
  close(): void;
}

/** Decodes every chunk with a new `Decoder` and flushes; throws what the error callback reported
 * (closing the outputs it had given). */
export async function decodeAll<Config, Chunk, Output extends { close(): void }>(
  Decoder: new (init: { output: (o: Output) => void; error: (e: DOMException) => void }) => SpecDecoder<Config, Chunk>,
  config: Config,
  chunks: Chunk[],
): Promise<Output[]> {
  const outputs: Output[] = [];
  let error: unknown = null;
  const decoder = new Decoder({
    output: (o) => outputs.push(o),
    error: (e) => {
      error = e;
    },
  });
  decoder.configure(config);
  for (const chunk of chunks) decoder.decode(chunk);
  await decoder.flush();
  decoder.close();
  if (error !== null) {
    for (const o of outputs) o.close();
    throw error;
  }
  return outputs;
}

export function decodeClip(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]): Promise<VideoFrame[]> {
  return decodeAll(VideoDecoder, config, chunks);
}

export interface EncodedSegments {
  chunks: EncodedVideoChunk[];
  metadata: EncodedVideoChunkMetadata[];
  /** Every decoderConfig the encoder emitted, in order. */
  configs: VideoDecoderConfig[];
}

export interface EncodeSegment {
  config: VideoEncoderConfig;
  frames: number;
  /** Each frame's encode options (index within the segment); default: a key frame first. */
  options?: (i: number) => VideoEncoderEncodeOptions;
}

/** Encodes pattern frames (30 fps timestamps, counted across segments) through one or more
 * configurations in turn, a reconfigure between; throws what the error callback reported. */
export async function encodeSegments(segments: EncodeSegment[], colorSpace?: VideoColorSpaceInit): Promise<EncodedSegments> {
  const out: EncodedSegments = { chunks: [], metadata: [], configs: [] };
  let error: unknown = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      out.chunks.push(chunk);
      out.metadata.push(meta ?? {});
      if (meta?.decoderConfig) out.configs.push(meta.decoderConfig as VideoDecoderConfig);
    },
    error: (e) => {
      error = e;
    },
  });
  let index = 0;
  for (const { config, frames, options } of segments) {
    encoder.configure(config);
    for (let i = 0; i < frames; i++, index++) {
      const frame = colorSpace === undefined ? makeI420Frame(config.width, config.height, index) : patternFrame(config, index, colorSpace);
      encoder.encode(frame, options?.(i) ?? { keyFrame: i === 0 });
      frame.close();
    }
  }
  await encoder.flush();
  encoder.close();
  if (error !== null) throw error;
  return out;
}

function patternFrame(config: VideoEncoderConfig, index: number, colorSpace: VideoColorSpaceInit): VideoFrame {
  const duration = Math.round(1e6 / 30);
  const init = { format: 'I420', codedWidth: config.width, codedHeight: config.height, timestamp: index * duration, duration, colorSpace } as const;
  return new VideoFrame(i420Pattern(config.width, config.height, index), init);
}

/** Decodes until the decoder closes, returning the frames and the error it reported (if any). */
export async function decodeUntilError(
  config: VideoDecoderConfig,
  chunks: EncodedVideoChunk[],
): Promise<{ frames: VideoFrame[]; error: DOMException | null }> {
  const frames: VideoFrame[] = [];
  let error: DOMException | null = null;
  const decoder = new VideoDecoder({ output: (f) => frames.push(f), error: (e) => (error = e) });
  decoder.configure(config);
  for (const chunk of chunks) {
    if (decoder.state !== 'configured') break;
    decoder.decode(chunk);
  }
  await decoder.flush().catch(() => {});
  if (decoder.state !== 'closed') decoder.close();
  return { frames, error };
}

export function chunkBytes(chunk: EncodedVideoChunk): Uint8Array {
  const data = new Uint8Array(chunk.byteLength);
  chunk.copyTo(data);
  return data;
}

export function closeAll(frames: VideoFrame[]): void {
  for (const frame of frames) frame.close();
}
