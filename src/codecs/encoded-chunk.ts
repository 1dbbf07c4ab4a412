// EncodedVideoChunk and EncodedAudioChunk share everything but their type names: one
// implementation of the spec's constructor, attributes and copyTo().
import {
  bytesOf,
  detachTransferList,
  enforceRange,
  isBufferSource,
  isDetached,
  requireDictionary,
  takeOrCopyBytes,
  type BufferSource,
} from './webidl.js';

export type EncodedChunkType = 'key' | 'delta';

export interface EncodedChunkInit {
  type: EncodedChunkType;
  timestamp: number;
  duration?: number;
  data: BufferSource;
  transfer?: ArrayBuffer[];
}

/** Lets the codecs build a chunk around bytes they own without a second copy. */
export const adoptChunkData = Symbol('adoptChunkData');

export abstract class EncodedChunk {
  readonly #type: EncodedChunkType;
  readonly #timestamp: number;
  readonly #duration: number | null;
  readonly #data: Uint8Array;

  constructor(init: EncodedChunkInit) {
    const name = new.target.name;
    const dict = requireDictionary(init, `${name} init`);
    if (dict.type !== 'key' && dict.type !== 'delta') {
      throw new TypeError(`${name}: type must be "key" or "delta" (got ${String(dict.type)})`);
    }
    if (dict.timestamp === undefined) throw new TypeError(`${name}: timestamp is required`);
    const timestamp = enforceRange(dict.timestamp, `${name}.timestamp`);
    const duration = dict.duration === undefined ? null : enforceRange(dict.duration, `${name}.duration`, 0);
    const adopted = (dict as Record<symbol, unknown>)[adoptChunkData];
    let data: Uint8Array;
    if (adopted instanceof Uint8Array) {
      data = adopted;
    } else {
      if (!isBufferSource(dict.data)) throw new TypeError(`${name}: data must be an ArrayBuffer or ArrayBufferView`);
      const transfer = detachTransferList(dict.transfer, name);
      if (isDetached(dict.data)) throw new TypeError(`${name}: data is detached`);
      data = takeOrCopyBytes(dict.data as BufferSource, transfer);
    }
    this.#type = dict.type;
    this.#timestamp = timestamp;
    this.#duration = duration;
    this.#data = data;
  }

  get type(): EncodedChunkType {
    return this.#type;
  }

  get timestamp(): number {
    return this.#timestamp;
  }

  get duration(): number | null {
    return this.#duration;
  }

  get byteLength(): number {
    return this.#data.byteLength;
  }

  copyTo(destination: BufferSource): void {
    if (!isBufferSource(destination)) throw new TypeError('copyTo: destination must be an ArrayBuffer or ArrayBufferView');
    const dest = bytesOf(destination);
    if (dest.byteLength < this.#data.byteLength) {
      throw new TypeError(
        `copyTo: destination has ${dest.byteLength} bytes but the chunk needs ${this.#data.byteLength}; allocate byteLength bytes`,
      );
    }
    dest.set(this.#data);
  }

  /** @internal The chunk's bytes, for the codecs (never exposed to users: chunks are immutable). */
  static dataOf(chunk: EncodedChunk): Uint8Array {
    return chunk.#data;
  }
}
