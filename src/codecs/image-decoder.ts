// ImageDecoder (spec "Image Decoding"). The [[codec work queue]] is a native CodecWorker with the
// "image-decoder" core (native/image_decoder_core.h): it keeps [[encoded data]], establishes and
// updates the track, and decodes frames in request order on its own thread. JavaScript keeps the
// spec's slots, validates, and sends the core commands through the worker's input channel.
//
// Every decode request carries the generation current when it was made; reset() starts a new one
// and tells the core to drop its unanswered requests, so a result computed for a request that
// reset() already rejected is dropped (its frame closed) instead of answering a later request.
import { Readable } from 'node:stream';
import { native, type CodecRole, type NativeCodecWorker, type NativeEvent, type NativeFrame } from '../native.js';
import { invalidState } from './errors.js';
import {
  closeImageTrackList,
  createImageTrack,
  createImageTrackList,
  establishTrackList,
  updateTrackFrameCount,
  type ImageTrack,
  type ImageTrackList,
  type ImageTrackOwner,
} from './image-track.js';
import { VideoFrame } from './video-frame.js';
import { bytesOf, detach, detachTransferList, enforceUnsignedLong, isBufferSource, isDetached, requireDictionary, type BufferSource } from './webidl.js';

export type ColorSpaceConversion = 'default' | 'none';

/** AllowSharedBufferSource or ReadableStream, as in the spec's ImageBufferSource. */
export type ImageBufferSource = ArrayBufferLike | ArrayBufferView | ReadableStream<Uint8Array>;

export interface ImageDecoderInit {
  type: string;
  data: ImageBufferSource;
  /** Accepted and validated; outputs are never colour-converted (see docs/differences-from-browsers.md). */
  colorSpaceConversion?: ColorSpaceConversion;
  desiredWidth?: number;
  desiredHeight?: number;
  preferAnimation?: boolean;
  transfer?: ArrayBuffer[];
}

export interface ImageDecodeOptions {
  frameIndex?: number;
  completeFramesOnly?: boolean;
}

export interface ImageDecodeResult {
  image: VideoFrame;
  complete: boolean;
}

/**
 * The image types this package decodes, with the FFmpeg decoders each needs (every group must
 * have one). The native core keeps the same list and also checks the demuxers.
 * Not decodable with FFmpeg 5.1: animated WebP (still WebP is), and AVIF files that are grids
 * of tiles (libavformat 59 reads one-item AVIF only, without its alpha item).
 */
const IMAGE_TYPES: ReadonlyMap<string, readonly (readonly string[])[]> = new Map([
  ['image/png', [['png'], ['apng']]],
  ['image/apng', [['png'], ['apng']]],
  ['image/jpeg', [['mjpeg']]],
  ['image/gif', [['gif']]],
  ['image/webp', [['webp']]],
  ['image/avif', [['libdav1d', 'libaom-av1']]],
  ['image/bmp', [['bmp']]],
]);

/** The commands of the image-decoder core (native/image_decoder_core.h, ImageCommand). */
const enum Command {
  Data = 0,
  End = 1,
  Decode = 2,
  SelectTrack = 3,
  Abort = 4,
}

interface CoreMessage {
  generation: number;
  command: Command;
  bytes: Uint8Array;
  argument?: number;
}

/** What the image-decoder core outputs (see native/image_decoder_core.h). */
type CoreOutput =
  | { kind: 'tracks'; animated: boolean; frameCount: number; repetitionCount: number }
  | { kind: 'frameCount'; frameCount: number }
  | { kind: 'image'; frame: NativeFrame; timestamp: number; duration?: number; rotation: number; flip: boolean }
  | { kind: 'rejected'; message: string };

interface PendingDecode {
  resolve: (result: ImageDecodeResult) => void;
  reject: (reason: unknown) => void;
}

const NO_BYTES = new Uint8Array(0);
/** Commands the native inbox holds before JavaScript queues them (as the codecs do). */
const INBOX_CAPACITY = 4;
/** The core's role; native.ts's CodecRole does not list it yet. */
const ROLE: string = 'image-decoder';

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** WHATWG MIME Sniffing "parse a MIME type", reduced to what a valid image MIME type needs: the
 * lowercased type and essence, or null when the string is not a MIME type. */
function parseMimeType(input: string): { type: string; essence: string } | null {
  const trimmed = input.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  const slash = trimmed.indexOf('/');
  if (slash === -1) return null;
  const type = trimmed.slice(0, slash);
  const semicolon = trimmed.indexOf(';', slash);
  const subtype = trimmed.slice(slash + 1, semicolon === -1 ? undefined : semicolon).replace(/[\t\n\r ]+$/, '');
  if (!HTTP_TOKEN.test(type) || !HTTP_TOKEN.test(subtype)) return null;
  return { type: type.toLowerCase(), essence: `${type}/${subtype}`.toLowerCase() };
}

/** A valid image MIME type: a MIME type whose type is `image`. Returns the essence. */
function imageEssence(type: string, method: string): string {
  const mime = parseMimeType(type);
  if (mime === null || mime.type !== 'image') {
    throw new TypeError(`${method}: type must be an image MIME type such as "image/png" (got "${type}")`);
  }
  return mime.essence;
}

/** Check Type Support, synchronously: the decoders the type needs are in this FFmpeg build. */
function checkTypeSupport(essence: string): boolean {
  const needs = IMAGE_TYPES.get(essence);
  return needs !== undefined && needs.every((anyOf) => anyOf.some((name) => native.hasDecoder(name)));
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function' && !isBufferSource(value);
}

function isUint8Array(value: unknown): value is Uint8Array {
  // Checked by brand, not instanceof: chunks can come from another realm (a vm context).
  return ArrayBuffer.isView(value) && (value as Uint8Array)[Symbol.toStringTag] === 'Uint8Array';
}

/** The worker reads bytes from plain ArrayBuffers only: a SharedArrayBuffer's are copied first. */
function unshared(bytes: Uint8Array): Uint8Array {
  return bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

export class ImageDecoder {
  readonly #type: string;
  #complete = false;
  readonly #completed: Promise<void>;
  #resolveCompleted!: () => void;
  #rejectCompleted!: (reason: unknown) => void;
  readonly #tracks: ImageTrackList;
  #tracksEstablished = false;
  #closed = false;
  #closeReason = '';
  #worker: NativeCodecWorker | null;
  #generation = 1;
  /** [[pending decode promises]], in the order the core answers them. */
  #pending: PendingDecode[] = [];
  /** Commands waiting for room in the worker's inbox (the control message queue). */
  #outbox: CoreMessage[] = [];
  #saturated = false;
  #outboxEmptied: (() => void)[] = [];
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  readonly #preferAnimation: boolean | null;

  constructor(init: ImageDecoderInit) {
    const dict = requireDictionary(init, 'ImageDecoderInit');
    // "valid ImageDecoderInit"
    if (dict.type === undefined) throw new TypeError('ImageDecoder: ImageDecoderInit.type is required (e.g. "image/png")');
    const type = String(dict.type);
    const essence = imageEssence(type, 'ImageDecoder');
    const data = dict.data;
    if (isReadableStream(data)) {
      if (data.locked || Readable.isDisturbed(data as never)) {
        throw new TypeError('ImageDecoder: ImageDecoderInit.data is a ReadableStream that is locked or already read from');
      }
    } else if (isBufferSource(data)) {
      if (isDetached(data)) throw new TypeError('ImageDecoder: ImageDecoderInit.data is detached');
      if (data.byteLength === 0) throw new TypeError('ImageDecoder: ImageDecoderInit.data is empty');
    } else {
      throw new TypeError('ImageDecoder: ImageDecoderInit.data must be an ArrayBuffer, an ArrayBufferView or a ReadableStream of Uint8Array');
    }
    const colorSpaceConversion = dict.colorSpaceConversion ?? 'default';
    if (colorSpaceConversion !== 'default' && colorSpaceConversion !== 'none') {
      throw new TypeError(`ImageDecoder: colorSpaceConversion must be "default" or "none" (got "${String(colorSpaceConversion)}")`);
    }
    const desiredWidth = dict.desiredWidth === undefined ? undefined : enforceUnsignedLong(dict.desiredWidth, 'ImageDecoderInit.desiredWidth');
    const desiredHeight = dict.desiredHeight === undefined ? undefined : enforceUnsignedLong(dict.desiredHeight, 'ImageDecoderInit.desiredHeight');
    if ((desiredWidth === undefined) !== (desiredHeight === undefined)) {
      throw new TypeError('ImageDecoder: desiredWidth and desiredHeight must be given together');
    }
    // Constructor steps 2-3.
    const transfer = detachTransferList(dict.transfer, 'ImageDecoderInit');

    this.#type = type;
    this.#preferAnimation = dict.preferAnimation === undefined ? null : Boolean(dict.preferAnimation);
    this.#tracks = createImageTrackList();
    this.#completed = new Promise<void>((resolve, reject) => {
      this.#resolveCompleted = resolve;
      this.#rejectCompleted = reject;
    });
    // As with tracks.ready: closing before the data is complete rejects `completed`, which must
    // not end a Node process whose code never looked at it.
    this.#completed.catch(() => {});
    const worker = new native.CodecWorker(ROLE as CodecRole, INBOX_CAPACITY);
    // A plain property, not a native root: an idle decoder nothing references can be collected.
    worker.onevents = (events) => this.#handleEvents(events);
    this.#worker = worker;

    if (isReadableStream(data)) {
      this.#configure(essence, desiredWidth, desiredHeight);
      this.#reader = data.getReader();
      detach(transfer);
      if (this.#closed) {
        this.#reader.cancel().catch(() => {});
      } else {
        void this.#fetchStreamDataLoop(this.#reader);
      }
    } else {
      this.#complete = true;
      this.#resolveCompleted();
      this.#configure(essence, desiredWidth, desiredHeight);
      // [[encoded data]] is the core's copy, made as the command is posted. That is now (a new
      // worker's inbox has room), so the caller's bytes need no copy here, even when transferred.
      this.#send(Command.Data, unshared(bytesOf(data as BufferSource)));
      // "decode track metadata": the core establishes the track from the complete data.
      this.#send(Command.End);
      detach(transfer);
    }
  }

  get type(): string {
    return this.#type;
  }

  /** Whether all the encoded data has arrived. */
  get complete(): boolean {
    return this.#complete;
  }

  get completed(): Promise<void> {
    return this.#completed;
  }

  get tracks(): ImageTrackList {
    return this.#tracks;
  }

  decode(options?: ImageDecodeOptions): Promise<ImageDecodeResult> {
    if (this.#closed) return Promise.reject(invalidState(`ImageDecoder.decode(): the decoder is closed${this.#closeReason}`));
    // Before the tracks are known the request waits for them (the control message's first step),
    // as browsers do; afterwards a deselected track cannot be decoded.
    if (this.#tracksEstablished && this.#tracks.selectedIndex === -1) {
      return Promise.reject(invalidState('ImageDecoder.decode(): no track is selected; set tracks[i].selected = true first'));
    }
    let frameIndex: number;
    try {
      const dict = requireDictionary(options, 'ImageDecodeOptions');
      frameIndex = dict.frameIndex === undefined ? 0 : enforceUnsignedLong(dict.frameIndex, 'ImageDecodeOptions.frameIndex');
      // completeFramesOnly: false asks for partial progressive images, which FFmpeg cannot make;
      // the spec then resolves with the complete frame, so the value changes nothing here.
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ImageDecodeResult>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#send(Command.Decode, NO_BYTES, frameIndex);
    });
  }

  /** Rejects every pending decode() with an AbortError; the data and tracks stay. */
  reset(): void {
    this.#reset(new DOMException('ImageDecoder.reset() was called; pending decodes are aborted', 'AbortError'));
  }

  /** Rejects pending decodes and releases the decoder for good. */
  close(): void {
    this.#close(new DOMException('ImageDecoder.close() was called; pending decodes are aborted', 'AbortError'));
  }

  /** Whether this package can decode `type`. Rejects with TypeError if it is not an image MIME type. */
  static isTypeSupported(type: string): Promise<boolean> {
    let essence: string;
    try {
      essence = imageEssence(String(type), 'ImageDecoder.isTypeSupported()');
    } catch (error) {
      return Promise.reject(error);
    }
    if (!checkTypeSupport(essence)) return Promise.resolve(false);
    // The core checks the decoders and demuxers on the thread pool: true means it configures.
    return native.probeConfig(ROLE as CodecRole, { type: essence }).then((probe) => probe.supported);
  }

  get [Symbol.toStringTag](): string {
    return 'ImageDecoder';
  }

  // --- spec algorithms ----------------------------------------------------------------------

  /** The "configure the image decoder" control message. */
  #configure(essence: string, desiredWidth: number | undefined, desiredHeight: number | undefined): void {
    if (!checkTypeSupport(essence)) {
      this.#close(new DOMException(`ImageDecoder: ${essence} images are not supported; check ImageDecoder.isTypeSupported() first`, 'NotSupportedError'));
      return;
    }
    this.#worker!.configure(this.#generation, { type: essence, desiredWidth, desiredHeight });
  }

  /** "Fetch Stream Data Loop": hands each chunk to the core, reading the next one once the core's
   * inbox has taken it, so a fast stream is not read far ahead of the decoder. */
  async #fetchStreamDataLoop(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    for (;;) {
      let result;
      try {
        result = await reader.read();
      } catch (error) {
        if (!this.#closed) {
          const message = error instanceof Error ? error.message : String(error);
          this.#close(new DOMException(`ImageDecoder: reading the data stream failed: ${message}`, 'NotReadableError'));
        }
        return;
      }
      if (this.#closed) return;
      if (result.done) {
        this.#complete = true;
        this.#resolveCompleted();
        this.#send(Command.End);
        return;
      }
      if (!isUint8Array(result.value)) {
        this.#close(new DOMException('ImageDecoder: the data stream must produce Uint8Array chunks', 'DataError'));
        return;
      }
      if (result.value.byteLength > 0) this.#send(Command.Data, unshared(result.value));
      await this.#outboxDrained();
    }
  }

  /** "Reset ImageDecoder". */
  #reset(exception: DOMException): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const decode of pending) decode.reject(exception);
    if (this.#worker === null) return;
    // Signal [[codec implementation]] to abort: queued decode commands are dropped here, the ones
    // the core holds by Abort; results already on their way carry the old generation.
    this.#outbox = this.#outbox.filter((message) => message.command !== Command.Decode);
    this.#generation++;
    this.#send(Command.Abort);
  }

  /** "Close ImageDecoder". */
  #close(exception: DOMException): void {
    if (this.#closed) return;
    this.#reset(exception);
    this.#closed = true;
    this.#closeReason = exception.name === 'AbortError' ? '' : ` (${exception.name}: ${exception.message})`;
    this.#worker?.close();
    this.#worker = null;
    this.#outbox = [];
    this.#wakeOutboxWaiters();
    closeImageTrackList(this.#tracks, exception);
    if (!this.#complete) this.#rejectCompleted(exception);
    // Node-specific: release the source (a file, a socket) rather than leave it half read.
    this.#reader?.cancel(exception).catch(() => {});
  }

  /** "Establish Tracks", step 10, with "Get Default Selected Track Index". */
  #establishTracks(init: { animated: boolean; frameCount: number; repetitionCount: number }): void {
    const isClosed = (): boolean => this.#closed;
    const owner: ImageTrackOwner = {
      get closed(): boolean {
        return isClosed();
      },
      selectTrack: (selectedIndex) => this.#selectTrack(selectedIndex),
    };
    // One image file holds one track: the primary image, or its animation.
    const tracks = [createImageTrack(owner, this.#tracks, init)];
    this.#tracksEstablished = true;
    establishTrackList(this.#tracks, tracks, this.#defaultSelectedTrackIndex(tracks));
  }

  /** "Get Default Selected Track Index": the primary track (the only one) unless preferAnimation
   * asks for a kind of track another one is. */
  #defaultSelectedTrackIndex(tracks: ImageTrack[]): number {
    const primary = 0;
    if (this.#preferAnimation === null || tracks[primary]!.animated === this.#preferAnimation) return primary;
    const preferred = tracks.findIndex((track) => track.animated === this.#preferAnimation);
    return preferred === -1 ? 0 : preferred;
  }

  /** ImageTrack's selected setter, steps 10-12. */
  #selectTrack(selectedIndex: number): void {
    this.#reset(new DOMException('ImageDecoder: the selected track changed; pending decodes are aborted', 'AbortError'));
    this.#send(Command.SelectTrack, NO_BYTES, selectedIndex);
  }

  // --- the worker ---------------------------------------------------------------------------

  #send(command: Command, bytes: Uint8Array = NO_BYTES, argument?: number): void {
    if (this.#worker === null) return;
    this.#outbox.push({ generation: this.#generation, command, bytes, argument });
    this.#flushOutbox();
  }

  #flushOutbox(): void {
    const worker = this.#worker;
    while (worker !== null && !this.#saturated && this.#outbox.length > 0) {
      const message = this.#outbox[0]!;
      if (!worker.decode(message.generation, message.bytes, message.command, message.argument, false)) {
        this.#saturated = true; // the worker reports 'room' when its inbox has space again
        return;
      }
      this.#outbox.shift();
    }
    if (this.#outbox.length === 0) this.#wakeOutboxWaiters();
  }

  #outboxDrained(): Promise<void> {
    if (this.#outbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#outboxEmptied.push(resolve));
  }

  #wakeOutboxWaiters(): void {
    const waiters = this.#outboxEmptied;
    this.#outboxEmptied = [];
    for (const wake of waiters) wake();
  }

  #handleEvents(events: NativeEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'output':
          this.#handleOutput(event.generation, event.output as unknown as CoreOutput);
          break;
        case 'error':
          // Whatever the generation: the core is gone, so nothing queued after it would answer.
          this.#close(new DOMException(`ImageDecoder: ${event.message}`, event.name));
          break;
        case 'room':
          this.#saturated = false;
          this.#flushOutbox();
          break;
        default:
          break;
      }
    }
  }

  #handleOutput(generation: number, output: CoreOutput): void {
    switch (output.kind) {
      case 'tracks':
        if (!this.#closed) this.#establishTracks(output);
        return;
      case 'frameCount': {
        const track = this.#tracks[0];
        if (!this.#closed && track !== undefined) updateTrackFrameCount(track, output.frameCount);
        return;
      }
      case 'image': {
        if (this.#closed || generation !== this.#generation) {
          output.frame.close();
          return;
        }
        // "Decode Complete Frame" steps 11-12.
        const image = VideoFrame.fromNative(output.frame, {
          timestamp: output.timestamp,
          duration: output.duration ?? null,
          rotation: output.rotation,
          flip: output.flip,
        });
        this.#pending.shift()!.resolve({ image, complete: true });
        return;
      }
      case 'rejected':
        // "Reject Infeasible Decode": all data arrived and the frame is not in it.
        if (!this.#closed && generation === this.#generation) this.#pending.shift()!.reject(new RangeError(output.message));
        return;
    }
  }
}
