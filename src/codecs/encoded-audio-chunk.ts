import { EncodedChunk, type EncodedChunkInit, type EncodedChunkType } from './encoded-chunk.js';

export type EncodedAudioChunkType = EncodedChunkType;
export type EncodedAudioChunkInit = EncodedChunkInit;

/** An encoded audio packet (spec "EncodedAudioChunk Interface"). */
export class EncodedAudioChunk extends EncodedChunk {
  get [Symbol.toStringTag](): string {
    return 'EncodedAudioChunk';
  }
}
