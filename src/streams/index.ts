// Non-standard: every codec as a { readable, writable } pair (GenericTransformStream shape), so
// media flows through pipeThrough() chains with backpressure and bounded memory.
export { DEFAULT_HIGH_WATER_MARK, DEFAULT_READABLE_HIGH_WATER_MARK } from './codec-stream.js';
export type { CodecStreamOptions } from './codec-stream.js';
export type { EncoderStreamInput, EncoderStreamOutput, EncoderStreamOptions, FrameWithEncodeOptions } from './encoder-stream.js';
export type { DecoderStreamInput, DecoderStreamOptions, DecoderConfigInput, LiveOptions } from './decoder-stream.js';
export { VideoEncoderStream } from './video-encoder-stream.js';
export type { VideoEncoderStreamInput, VideoEncoderStreamOutput, VideoEncoderStreamOptions } from './video-encoder-stream.js';
export { VideoDecoderStream } from './video-decoder-stream.js';
export type { VideoDecoderStreamInput, VideoDecoderStreamOptions } from './video-decoder-stream.js';
export { AudioEncoderStream } from './audio-encoder-stream.js';
export type { AudioEncoderStreamInput, AudioEncoderStreamOutput, AudioEncoderStreamOptions } from './audio-encoder-stream.js';
export { AudioDecoderStream } from './audio-decoder-stream.js';
export type { AudioDecoderStreamInput, AudioDecoderStreamOptions } from './audio-decoder-stream.js';
