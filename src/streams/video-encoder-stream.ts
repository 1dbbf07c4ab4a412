// VideoEncoderStream: a VideoEncoder as a { readable, writable } pair (see encoder-stream.ts).
import { parseVideoEncoderConfig } from '../codecs/config/video-encoder-config.js';
import type { EncodedVideoChunk } from '../codecs/encoded-video-chunk.js';
import {
  VideoEncoder,
  type EncodedVideoChunkMetadata,
  type VideoEncoderConfig,
  type VideoEncoderEncodeOptions,
} from '../codecs/video-encoder.js';
import type { VideoFrame } from '../codecs/video-frame.js';
import { EncoderStream, type EncoderStreamInput, type EncoderStreamOptions, type EncoderStreamOutput } from './encoder-stream.js';

/** A VideoFrame, or `{ frame, options }` with the VideoEncoderEncodeOptions for that frame. */
export type VideoEncoderStreamInput = EncoderStreamInput<VideoFrame, VideoEncoderEncodeOptions>;
/** `{ chunk, metadata }`: the arguments of VideoEncoder's output callback. */
export type VideoEncoderStreamOutput = EncoderStreamOutput<EncodedVideoChunk, EncodedVideoChunkMetadata>;
export type VideoEncoderStreamOptions = EncoderStreamOptions;

export class VideoEncoderStream extends EncoderStream<
  VideoFrame,
  VideoEncoderEncodeOptions,
  VideoEncoderConfig,
  EncodedVideoChunk,
  EncodedVideoChunkMetadata
> {
  declare readonly readable: ReadableStream<VideoEncoderStreamOutput>;
  declare readonly writable: WritableStream<VideoEncoderStreamInput>;

  constructor(config: VideoEncoderConfig, options?: VideoEncoderStreamOptions) {
    super((init) => new VideoEncoder(init), config, options, (c) => void parseVideoEncoderConfig(c));
  }

  /** Makes the next frame written after this call a key frame (like `{ frame, options: {
   * keyFrame: true } }`, for code that does not write the frames itself, e.g. a pipe). */
  override requestKeyFrame(): void {
    super.requestKeyFrame();
  }

  get [Symbol.toStringTag](): string {
    return 'VideoEncoderStream';
  }
}
