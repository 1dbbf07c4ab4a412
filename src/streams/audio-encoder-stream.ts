// AudioEncoderStream: an AudioEncoder as a { readable, writable } pair (see encoder-stream.ts).
// AudioData in (owned by the stream from write() on), { chunk, metadata } out.
import { AudioEncoder, type AudioEncoderConfig, type EncodedAudioChunkMetadata } from '../codecs/audio-encoder.js';
import type { AudioData } from '../codecs/audio-data.js';
import { parseAudioEncoderConfig } from '../codecs/config/audio-encoder-config.js';
import type { EncodedAudioChunk } from '../codecs/encoded-audio-chunk.js';
import { EncoderStream, type EncoderStreamOptions, type EncoderStreamOutput } from './encoder-stream.js';

/** AudioEncoder.encode() takes no options, so the input is just the AudioData. */
export type AudioEncoderStreamInput = AudioData;
/** `{ chunk, metadata }`: the arguments of AudioEncoder's output callback. */
export type AudioEncoderStreamOutput = EncoderStreamOutput<EncodedAudioChunk, EncodedAudioChunkMetadata>;
export type AudioEncoderStreamOptions = EncoderStreamOptions;

export class AudioEncoderStream extends EncoderStream<AudioData, never, AudioEncoderConfig, EncodedAudioChunk, EncodedAudioChunkMetadata> {
  declare readonly readable: ReadableStream<AudioEncoderStreamOutput>;
  declare readonly writable: WritableStream<AudioEncoderStreamInput>;

  constructor(config: AudioEncoderConfig, options?: AudioEncoderStreamOptions) {
    super((init) => new AudioEncoder(init), config, options, (c) => void parseAudioEncoderConfig(c));
  }

  get [Symbol.toStringTag](): string {
    return 'AudioEncoderStream';
  }
}
