// VideoDecoderStream: a VideoDecoder as a { readable, writable } pair (see decoder-stream.ts).
import type { EncodedVideoChunk } from '../codecs/encoded-video-chunk.js';
import { VideoDecoder, type VideoDecoderConfig } from '../codecs/video-decoder.js';
import type { VideoFrame } from '../codecs/video-frame.js';
import { DecoderStream, type DecoderStreamInput, type DecoderStreamOptions } from './decoder-stream.js';

/** An EncodedVideoChunk, or `{ config }` to reconfigure in order. */
export type VideoDecoderStreamInput = DecoderStreamInput<EncodedVideoChunk, VideoDecoderConfig>;
export type VideoDecoderStreamOptions = DecoderStreamOptions;

export class VideoDecoderStream extends DecoderStream<EncodedVideoChunk, VideoDecoderConfig, VideoFrame> {
  declare readonly readable: ReadableStream<VideoFrame>;
  declare readonly writable: WritableStream<VideoDecoderStreamInput>;

  /** `config` may be null when the first thing written is `{ config }`. */
  constructor(config: VideoDecoderConfig | null, options?: VideoDecoderStreamOptions) {
    super((init) => new VideoDecoder(init), config, options);
  }

  get [Symbol.toStringTag](): string {
    return 'VideoDecoderStream';
  }
}
