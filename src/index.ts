// webcodecs-streams: the W3C WebCodecs API for Node.js, and streams over it.
//
// The spec classes are exported under their spec names; everything non-standard (counters,
// limits, streams) is exported from separate modules below so it is clearly not WebCodecs.
export { VideoEncoder } from './codecs/video-encoder.js';
export type {
  VideoEncoderConfig,
  VideoEncoderInit,
  VideoEncoderEncodeOptions,
  VideoEncoderSupport,
  EncodedVideoChunkMetadata,
  EncodedVideoChunkOutputCallback,
  VideoDecoderConfigOutput,
} from './codecs/video-encoder.js';
export { VideoDecoder } from './codecs/video-decoder.js';
export type { VideoDecoderConfig, VideoDecoderInit, VideoDecoderSupport, VideoFrameOutputCallback } from './codecs/video-decoder.js';
export { VideoFrame } from './codecs/video-frame.js';
export type { VideoFrameInit, VideoFrameMetadata, AlphaOption } from './codecs/video-frame.js';
export type { VideoFrameBufferInit, VideoFrameCopyToOptions, PlaneLayout } from './codecs/video-frame-layout.js';
export type { VideoPixelFormat } from './codecs/pixel-format.js';
export { VideoColorSpace } from './codecs/video-color-space.js';
export type { VideoColorSpaceInit, VideoColorPrimaries, VideoTransferCharacteristics, VideoMatrixCoefficients } from './codecs/video-color-space.js';
export type { BufferSource, AllowSharedBufferSource } from './codecs/webidl.js';
export type { LatencyMode, VideoEncoderBitrateMode, AvcBitstreamFormat, HevcBitstreamFormat } from './codecs/config/video-encoder-config.js';
export type { DOMRectInit, PredefinedColorSpace } from './codecs/video-frame-layout.js';
export type { EncodedChunkInit, EncodedChunkType } from './codecs/encoded-chunk.js';
export { EncodedVideoChunk } from './codecs/encoded-video-chunk.js';
export type { EncodedVideoChunkInit, EncodedVideoChunkType } from './codecs/encoded-video-chunk.js';
export { EncodedAudioChunk } from './codecs/encoded-audio-chunk.js';
export type { EncodedAudioChunkInit, EncodedAudioChunkType } from './codecs/encoded-audio-chunk.js';
export { AudioEncoder } from './codecs/audio-encoder.js';
export type {
  AudioEncoderConfig,
  AudioEncoderInit,
  AudioEncoderSupport,
  AudioDecoderConfigOutput,
  EncodedAudioChunkMetadata,
  EncodedAudioChunkOutputCallback,
  AacBitstreamFormat,
  AacEncoderConfig,
  BitrateMode,
  FlacEncoderConfig,
  OpusApplication,
  OpusBitstreamFormat,
  OpusEncoderConfig,
  OpusSignal,
} from './codecs/audio-encoder.js';
export { AudioDecoder } from './codecs/audio-decoder.js';
export type { AudioDecoderConfig, AudioDecoderInit, AudioDecoderSupport, AudioDataOutputCallback } from './codecs/audio-decoder.js';
export { AudioData } from './codecs/audio-data.js';
export type { AudioDataInit, AudioDataCopyToOptions, AudioSampleFormat } from './codecs/audio-data.js';
export { ImageDecoder } from './codecs/image-decoder.js';
export type { ImageDecoderInit, ImageDecodeOptions, ImageDecodeResult, ImageBufferSource, ColorSpaceConversion } from './codecs/image-decoder.js';
export { ImageTrack, ImageTrackList } from './codecs/image-track.js';
export type { CodecState, WebCodecsErrorCallback } from './codecs/codec-base.js';

// Non-standard: diagnostics and limits.
export { getLiveCounters, ffmpegVersions } from './diagnostics.js';
export type { LiveCounters } from './diagnostics.js';
export { setResourceLimits } from './codecs/resource-limits.js';
export { setCodecThreads } from './codecs/threading.js';
export type { ResourceLimits } from './codecs/resource-limits.js';
export { register } from './register.js';

// Non-standard: streams (VideoEncoderStream, VideoDecoderStream, AudioEncoderStream, AudioDecoderStream and their options).
export * from './streams/index.js';

// Non-standard: containers (Demuxer, Muxer and their types, on libavformat).
export * from './containers/index.js';
