import { EncodedChunk, type EncodedChunkInit, type EncodedChunkType } from './encoded-chunk.js';

export type EncodedVideoChunkType = EncodedChunkType;
export type EncodedVideoChunkInit = EncodedChunkInit;

/** An encoded video frame (spec "EncodedVideoChunk Interface"). */
export class EncodedVideoChunk extends EncodedChunk {
  get [Symbol.toStringTag](): string {
    return 'EncodedVideoChunk';
  }
}
