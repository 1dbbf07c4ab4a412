// Small helpers that run a spec codec to completion and collect what it produced.
import {
  VideoDecoder,
  VideoEncoder,
  type EncodedVideoChunk,
  type EncodedVideoChunkMetadata,
  type VideoDecoderConfig,
  type VideoEncoderConfig,
  type VideoFrame,
} from '../../src/index.js';
import { makeI420Frame } from './media.js';

export interface EncodedClip {
  chunks: EncodedVideoChunk[];
  metadata: EncodedVideoChunkMetadata[];
  decoderConfig: VideoDecoderConfig;
}

export async function encodeClip(config: VideoEncoderConfig, frames: number, keyEvery = 0): Promise<EncodedClip> {
  const chunks: EncodedVideoChunk[] = [];
  const metadata: EncodedVideoChunkMetadata[] = [];
  let error: unknown = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      chunks.push(chunk);
      metadata.push(meta ?? {});
    },
    error: (e) => {
      error = e;
    },
  });
  encoder.configure(config);
  for (let i = 0; i < frames; i++) {
    const frame = makeI420Frame(config.width, config.height, i);
    encoder.encode(frame, { keyFrame: keyEvery > 0 && i % keyEvery === 0 });
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error !== null) throw error;
  const decoderConfig = metadata.find((m) => m.decoderConfig !== undefined)?.decoderConfig;
  if (decoderConfig === undefined) throw new Error('encoder produced no decoderConfig');
  return { chunks, metadata, decoderConfig: decoderConfig as VideoDecoderConfig };
}

export async function decodeClip(config: VideoDecoderConfig, chunks: EncodedVideoChunk[]): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  let error: unknown = null;
  const decoder = new VideoDecoder({
    output: (frame) => frames.push(frame),
    error: (e) => {
      error = e;
    },
  });
  decoder.configure(config);
  for (const chunk of chunks) decoder.decode(chunk);
  await decoder.flush();
  decoder.close();
  if (error !== null) throw error;
  return frames;
}
