// AudioData (spec "AudioData Interface"): a handle to one reference of a reference-counted
// native AVFrame. clone() shares the samples, close() releases them at once, encoders take their
// own reference; samples are copied only at construction (once) and by copyTo().
import { native, type NativeFrame } from '../native.js';
import {
  AUDIO_SAMPLE_FORMATS,
  bytesPerSample,
  convertSamples,
  isAudioSampleFormat,
  isPlanar,
  type AudioSampleFormat,
} from './audio-sample-format.js';
import { invalidState } from './errors.js';
import { warnUnclosed } from './gc-warning.js';
import { bytesOf, detach, detachTransferList, enforceRange, enforceUnsignedLong, isBufferSource, requireDictionary, type BufferSource } from './webidl.js';

export type { AudioSampleFormat } from './audio-sample-format.js';

export interface AudioDataInit {
  format: AudioSampleFormat;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  timestamp: number;
  data: BufferSource;
  transfer?: ArrayBuffer[];
}

export interface AudioDataCopyToOptions {
  planeIndex: number;
  frameOffset?: number;
  frameCount?: number;
  format?: AudioSampleFormat;
}

/** The spec's internal slots besides [[resource reference]]. */
interface AudioSlots {
  format: AudioSampleFormat | null;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  timestamp: number;
}

/** Builds AudioData around native frames (decoder outputs, clones): no public constructor path. */
const fromNativeKey = Symbol('fromNative');


/** AVFrame::data holds 8 planes; beyond that, planar frames keep equally spaced planes in one
 * buffer (fromAudioBuffer and the decoders guarantee it), reached as rows of plane 0. */
const NATIVE_PLANES = 8;

/** The one native frame size limit: FFmpeg describes an interleaved plane's size with an int. */
const MAX_BYTES = 0x7fffffff;

/** WebIDL `float`: finite, rounded to single precision. */
function toFloat(value: unknown, name: string): number {
  const n = Math.fround(Number(value));
  if (typeof value === 'bigint' || !Number.isFinite(n)) throw new TypeError(`${name} must be a finite number (got ${String(value)})`);
  return n;
}

function readFormat(value: unknown, name: string): AudioSampleFormat {
  if (!isAudioSampleFormat(value)) {
    throw new TypeError(`${name} must be one of ${AUDIO_SAMPLE_FORMATS.map((f) => `"${f}"`).join(', ')} (got ${String(value)})`);
  }
  return value;
}

function isShared(source: BufferSource): boolean {
  const buffer = ArrayBuffer.isView(source) ? source.buffer : source;
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

interface ParsedCopyToOptions {
  planeIndex: number;
  frameOffset: number;
  frameCount: number | undefined;
  format: AudioSampleFormat | undefined;
}

function parseCopyToOptions(options: unknown): ParsedCopyToOptions {
  const dict = requireDictionary(options, 'AudioDataCopyToOptions');
  if (dict.planeIndex === undefined) throw new TypeError('AudioDataCopyToOptions.planeIndex is required');
  return {
    planeIndex: enforceUnsignedLong(dict.planeIndex, 'AudioDataCopyToOptions.planeIndex'),
    frameOffset: dict.frameOffset === undefined ? 0 : enforceUnsignedLong(dict.frameOffset, 'AudioDataCopyToOptions.frameOffset'),
    frameCount: dict.frameCount === undefined ? undefined : enforceUnsignedLong(dict.frameCount, 'AudioDataCopyToOptions.frameCount'),
    format: dict.format === undefined ? undefined : readFormat(dict.format, 'AudioDataCopyToOptions.format'),
  };
}

export class AudioData {
  #native: NativeFrame | null;
  #slots: AudioSlots;

  constructor(init: AudioDataInit) {
    const internal = (init as unknown as Record<symbol, { nativeFrame: NativeFrame; slots: AudioSlots }> | undefined)?.[fromNativeKey];
    if (internal !== undefined) {
      this.#native = internal.nativeFrame;
      this.#slots = internal.slots;
    } else {
      const { nativeFrame, slots } = AudioData.#initialize(init);
      this.#native = nativeFrame;
      this.#slots = slots;
    }
    warnUnclosed.register(this, 'AudioData', this.#native);
  }

  /** The constructor steps: validate, copy the samples once into a native frame, transfer. */
  static #initialize(init: unknown): { nativeFrame: NativeFrame; slots: AudioSlots } {
    const dict = requireDictionary(init, 'AudioDataInit');
    const where = 'AudioDataInit';
    for (const member of ['data', 'format', 'numberOfChannels', 'numberOfFrames', 'sampleRate', 'timestamp']) {
      if (dict[member] === undefined) throw new TypeError(`${where}.${member} is required`);
    }
    if (!isBufferSource(dict.data) || isShared(dict.data)) {
      throw new TypeError(`${where}.data must be an ArrayBuffer or a view of one (not shared memory)`);
    }
    const data = dict.data;
    const format = readFormat(dict.format, `${where}.format`);
    const numberOfChannels = enforceUnsignedLong(dict.numberOfChannels, `${where}.numberOfChannels`);
    const numberOfFrames = enforceUnsignedLong(dict.numberOfFrames, `${where}.numberOfFrames`);
    const sampleRate = toFloat(dict.sampleRate, `${where}.sampleRate`);
    const timestamp = enforceRange(dict.timestamp, `${where}.timestamp`);
    if (dict.transfer !== undefined && !Array.isArray(dict.transfer)) throw new TypeError(`${where}.transfer must be a sequence of ArrayBuffers`);

    // "valid AudioDataInit"
    if (sampleRate <= 0) throw new TypeError(`invalid AudioDataInit: sampleRate must be greater than 0 (got ${sampleRate})`);
    if (numberOfFrames === 0) throw new TypeError('invalid AudioDataInit: numberOfFrames must be greater than 0');
    if (numberOfChannels === 0) throw new TypeError('invalid AudioDataInit: numberOfChannels must be greater than 0');
    const totalSize = numberOfFrames * numberOfChannels * bytesPerSample(format);
    const bytes = bytesOf(data);
    if (bytes.byteLength < totalSize) {
      throw new TypeError(
        `invalid AudioDataInit: data has ${bytes.byteLength} bytes but ${numberOfFrames} frames of ${numberOfChannels} ` +
          `channel(s) in ${format} need ${totalSize}` + (bytes.byteLength === 0 ? ' (is the buffer detached?)' : ''),
      );
    }
    const transfer = detachTransferList(dict.transfer, where);
    if (totalSize > MAX_BYTES) {
      throw new RangeError(`AudioData: ${totalSize} bytes of samples exceed the ${MAX_BYTES}-byte limit of one AudioData; split the audio`);
    }
    // One copy into FFmpeg memory (Node-API cannot keep JavaScript memory alive for the codec
    // threads), then the transfer list is detached as the spec requires.
    const nativeFrame = native.NativeFrame.fromAudioBuffer(format, sampleRate, numberOfChannels, numberOfFrames, bytes.subarray(0, totalSize));
    detach(transfer);
    return { nativeFrame, slots: { format, sampleRate, numberOfFrames, numberOfChannels, timestamp } };
  }

  /** @internal Wraps a decoder output (internal). */
  static fromNative(nativeFrame: NativeFrame, timestamp: number): AudioData {
    const info = nativeFrame.info()!;
    const slots: AudioSlots = {
      format: isAudioSampleFormat(info.format) ? info.format : null,
      sampleRate: info.sampleRate,
      numberOfFrames: info.numberOfFrames,
      numberOfChannels: info.numberOfChannels,
      timestamp,
    };
    return new AudioData({ [fromNativeKey]: { nativeFrame, slots } } as unknown as AudioDataInit);
  }

  /** @internal Internal: the native reference and the slots an encoder needs (null once closed). */
  static internals(data: AudioData): ({ nativeFrame: NativeFrame } & Readonly<AudioSlots>) | null {
    if (!(data instanceof AudioData) || data.#native === null) return null;
    return { nativeFrame: data.#native, ...data.#slots };
  }

  get format(): AudioSampleFormat | null {
    return this.#slots.format;
  }
  get sampleRate(): number {
    return this.#slots.sampleRate;
  }
  get numberOfFrames(): number {
    return this.#slots.numberOfFrames;
  }
  get numberOfChannels(): number {
    return this.#slots.numberOfChannels;
  }
  get timestamp(): number {
    return this.#slots.timestamp;
  }
  /** Microseconds: numberOfFrames / sampleRate * 1,000,000, truncated to the IDL integer. The
   * product is taken first so whole-microsecond durations (960 frames at 48 kHz) are exact. */
  get duration(): number {
    if (this.#slots.sampleRate === 0) return 0;
    return Math.trunc((this.#slots.numberOfFrames * 1_000_000) / this.#slots.sampleRate);
  }

  allocationSize(options: AudioDataCopyToOptions): number {
    const parsed = parseCopyToOptions(options);
    if (this.#native === null) throw invalidState('AudioData.allocationSize(): the AudioData is closed');
    const { elementCount, destFormat } = this.#computeCopyElementCount(parsed);
    return elementCount * bytesPerSample(destFormat);
  }

  copyTo(destination: BufferSource, options: AudioDataCopyToOptions): void {
    if (!isBufferSource(destination)) throw new TypeError('AudioData.copyTo(): destination must be an ArrayBuffer or ArrayBufferView');
    const parsed = parseCopyToOptions(options);
    if (this.#native === null) throw invalidState('AudioData.copyTo(): the AudioData is closed');
    const { elementCount, destFormat, frameCount } = this.#computeCopyElementCount(parsed);
    const byteLength = elementCount * bytesPerSample(destFormat);
    if (byteLength > destination.byteLength) {
      throw new RangeError(
        `AudioData.copyTo(): destination has ${destination.byteLength} bytes but ${byteLength} are needed; size it with allocationSize(options)`,
      );
    }
    const dest = bytesOf(destination);
    if (destFormat === this.#slots.format && !isShared(destination)) {
      this.#copySameFormat(dest, parsed.planeIndex, parsed.frameOffset, frameCount);
      return;
    }
    const out = new Uint8Array(byteLength);
    if (destFormat === this.#slots.format) this.#copySameFormat(out, parsed.planeIndex, parsed.frameOffset, frameCount);
    else this.#convert(out, destFormat, parsed.planeIndex, parsed.frameOffset, frameCount);
    dest.set(out);
  }

  /** "Compute Copy Element Count". */
  #computeCopyElementCount(options: ParsedCopyToOptions): { elementCount: number; destFormat: AudioSampleFormat; frameCount: number } {
    if (this.#slots.format === null) {
      throw new DOMException('AudioData: the samples are in a format WebCodecs cannot name, so they cannot be read', 'NotSupportedError');
    }
    const destFormat = options.format ?? this.#slots.format;
    if (!isPlanar(destFormat) && options.planeIndex > 0) {
      throw new RangeError(`AudioData: planeIndex ${options.planeIndex} does not exist in interleaved format ${destFormat} (only plane 0)`);
    }
    if (isPlanar(destFormat) && options.planeIndex >= this.#slots.numberOfChannels) {
      throw new RangeError(`AudioData: planeIndex ${options.planeIndex} is out of range for ${this.#slots.numberOfChannels} channel(s)`);
    }
    const frames = this.#slots.numberOfFrames;
    if (options.frameOffset >= frames) throw new RangeError(`AudioData: frameOffset ${options.frameOffset} is not below numberOfFrames ${frames}`);
    let frameCount = frames - options.frameOffset;
    if (options.frameCount !== undefined) {
      if (options.frameCount > frameCount) {
        throw new RangeError(`AudioData: frameCount ${options.frameCount} exceeds the ${frameCount} frames after frameOffset ${options.frameOffset}`);
      }
      frameCount = options.frameCount;
    }
    const elementCount = isPlanar(destFormat) ? frameCount : frameCount * this.#slots.numberOfChannels;
    return { elementCount, destFormat, frameCount };
  }

  /** Same format: the wanted samples are one contiguous byte range of one source plane. */
  #copySameFormat(dest: Uint8Array, planeIndex: number, frameOffset: number, frameCount: number): void {
    const format = this.#slots.format!;
    const bps = bytesPerSample(format);
    if (isPlanar(format)) {
      this.#readChannel(planeIndex, frameOffset * bps, frameCount * bps, dest, 0);
    } else {
      const frameBytes = bps * this.#slots.numberOfChannels;
      this.#readInterleaved(frameOffset * frameBytes, frameCount * frameBytes, dest, 0);
    }
  }

  /** Another format: read the source samples needed, then convert them into `out`. */
  #convert(out: Uint8Array, destFormat: AudioSampleFormat, planeIndex: number, frameOffset: number, frameCount: number): void {
    const srcFormat = this.#slots.format!;
    const channels = this.#slots.numberOfChannels;
    const bps = bytesPerSample(srcFormat);
    if (!isPlanar(srcFormat)) {
      const src = new Uint8Array(frameCount * channels * bps);
      this.#readInterleaved(frameOffset * channels * bps, src.byteLength, src, 0);
      if (isPlanar(destFormat)) {
        convertSamples({ bytes: src, format: srcFormat, first: planeIndex, step: channels }, { bytes: out, format: destFormat, first: 0, step: 1 }, frameCount);
      } else {
        convertSamples({ bytes: src, format: srcFormat, first: 0, step: 1 }, { bytes: out, format: destFormat, first: 0, step: 1 }, frameCount * channels);
      }
      return;
    }
    const src = new Uint8Array(frameCount * bps);
    if (isPlanar(destFormat)) {
      this.#readChannel(planeIndex, frameOffset * bps, src.byteLength, src, 0);
      convertSamples({ bytes: src, format: srcFormat, first: 0, step: 1 }, { bytes: out, format: destFormat, first: 0, step: 1 }, frameCount);
      return;
    }
    for (let channel = 0; channel < channels; channel++) {
      this.#readChannel(channel, frameOffset * bps, src.byteLength, src, 0);
      convertSamples({ bytes: src, format: srcFormat, first: 0, step: 1 }, { bytes: out, format: destFormat, first: channel, step: channels }, frameCount);
    }
  }

  #readInterleaved(offset: number, length: number, dest: Uint8Array, destOffset: number): void {
    this.#readBytes(0, 0, offset, length, dest, destOffset);
  }

  #readChannel(channel: number, offset: number, length: number, dest: Uint8Array, destOffset: number): void {
    if (channel < NATIVE_PLANES) this.#readBytes(channel, 0, offset, length, dest, destOffset);
    else this.#readBytes(0, channel, offset, length, dest, destOffset);
  }

  #readBytes(plane: number, row: number, offset: number, length: number, dest: Uint8Array, destOffset: number): void {
    this.#native!.copyToSync(dest, [{ plane, srcX: offset, srcY: row, rowBytes: length, rows: 1, dstOffset: destOffset, dstStride: length }]);
  }

  clone(): AudioData {
    if (this.#native === null) throw invalidState('AudioData.clone(): the AudioData is closed');
    return new AudioData({ [fromNativeKey]: { nativeFrame: this.#native.clone(), slots: { ...this.#slots } } } as unknown as AudioDataInit);
  }

  close(): void {
    if (this.#native === null) return;
    this.#native.close();
    this.#native = null;
    warnUnclosed.unregister(this);
    // "Close AudioData": the timestamp is kept, as browsers do.
    this.#slots = { format: null, sampleRate: 0, numberOfFrames: 0, numberOfChannels: 0, timestamp: this.#slots.timestamp };
  }

  [Symbol.dispose](): void {
    this.close();
  }

  get [Symbol.toStringTag](): string {
    return 'AudioData';
  }
}
