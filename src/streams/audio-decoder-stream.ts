// AudioDecoderStream: an AudioDecoder as a { readable, writable } pair (see decoder-stream.ts).
// EncodedAudioChunk or { config } in, AudioData out (owned by the reader once read).
import { AudioDecoder, type AudioDecoderConfig } from '../codecs/audio-decoder.js';
import type { AudioData } from '../codecs/audio-data.js';
import type { EncodedAudioChunk } from '../codecs/encoded-audio-chunk.js';
import { DecoderStream, type DecoderStreamInput, type DecoderStreamOptions } from './decoder-stream.js';

/** An EncodedAudioChunk, or `{ config }` to reconfigure in order. */
export type AudioDecoderStreamInput = DecoderStreamInput<EncodedAudioChunk, AudioDecoderConfig>;
/** `live.maxBufferedFrames` counts AudioData objects. */
export type AudioDecoderStreamOptions = DecoderStreamOptions;

export class AudioDecoderStream extends DecoderStream<EncodedAudioChunk, AudioDecoderConfig, AudioData> {
  declare readonly readable: ReadableStream<AudioData>;
  declare readonly writable: WritableStream<AudioDecoderStreamInput>;

  /** `config` may be null when the first thing written is `{ config }`. */
  constructor(config: AudioDecoderConfig | null, options?: AudioDecoderStreamOptions) {
    super((init) => new AudioDecoder(init), config, options);
  }

  get [Symbol.toStringTag](): string {
    return 'AudioDecoderStream';
  }
}
