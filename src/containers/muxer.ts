// Muxer: a WritableStream of { track, chunk, metadata } (what the encoder streams output, plus
// the track it belongs to) and the file it makes: a ReadableStream<Uint8Array> for append-only
// formats (fragmented MP4, WebM/Matroska, MPEG-TS, Ogg, IVF, ADTS, FLAC, MP3), or a file path for
// formats that seek back (MP4/MOV with the index at the front).
//
// Memory stays bounded: chunks wait in JavaScript only until every track has its configuration
// (a bounded number), then go to the muxer's thread through a small inbox (writes wait while it is
// full); FFmpeg's interleaving holds at most max_interleave_delta (10 s) of media per track; and
// output bytes the reader has not taken stop the muxer past 1 MiB, which backs up to the writer.
import { EncodedAudioChunk } from '../codecs/encoded-audio-chunk.js';
import { EncodedChunk } from '../codecs/encoded-chunk.js';
import { EncodedVideoChunk } from '../codecs/encoded-video-chunk.js';
import { ContainerError } from './container-error.js';
import { DecodeTimestamps, type Timed } from './decode-timestamps.js';
import { MUXER_FORMATS, isMuxerFormat, type MuxerFormat } from './muxer-formats.js';
import { prepareTrack, type MuxerAudioConfig, type MuxerTrackInit, type MuxerVideoConfig, type PreparedTrack } from './muxer-track.js';
import { containerAddon, type NativeMuxer, type NativeMuxerEvent } from './native-containers.js';

export interface MuxerInit {
  format: MuxerFormat;
  /** Write the file here (required for 'mp4' and 'mov'); without it, bytes come out of `readable`. */
  path?: string;
  tracks: readonly MuxerTrackInit[];
}

export interface MuxerInput {
  /** Index into `MuxerInit.tracks`. */
  track: number;
  chunk: EncodedVideoChunk | EncodedAudioChunk;
  metadata?: { decoderConfig?: MuxerVideoConfig | MuxerAudioConfig } | undefined;
}

/** The least B-frame reordering assumed for H.264/HEVC: what x264's defaults (3 B-frames, a
 * B-pyramid) need, and what FFmpeg itself assumes for them. More only shifts the start of formats
 * that cannot store a decode time before zero (fragmented MP4, Matroska), as FFmpeg's do too. */
const MINIMUM_REORDER_DELAY = 2;

/** Chunks held while waiting for every track's configuration (its first chunk). */
const MAX_CHUNKS_BEFORE_HEADER = 1024;

interface OutPacket {
  data: Uint8Array;
  key: boolean;
  duration: number | undefined;
}

interface TrackState {
  init: MuxerTrackInit;
  config: MuxerVideoConfig | MuxerAudioConfig | null;
  firstChunk: Uint8Array | undefined;
  prepared: PreparedTrack | null;
  decodeTimestamps: DecodeTimestamps<OutPacket> | null;
}

/** Resolves everyone waiting for one kind of news. */
class Signal {
  #waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

export class Muxer {
  readonly writable: WritableStream<MuxerInput>;
  /** The file's bytes, in order; null when writing to a path. Read it while writing: a reader
   * that stops holding bytes stops the muxer (and then the writer). */
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly format: MuxerFormat;

  readonly #native: NativeMuxer;
  readonly #path: string | undefined;
  readonly #tracks: TrackState[];
  #preHeader: MuxerInput[] = [];
  #opened = false;
  #finished = false;
  #failure: ContainerError | null = null;
  readonly #output: Uint8Array[] = [];
  readonly #changed = new Signal(); // opened, room, data, finished, failure

  constructor(init: MuxerInit) {
    if (!isMuxerFormat(init.format)) {
      throw new ContainerError('unsupported', `unknown format "${String(init.format)}"; use one of ${Object.keys(MUXER_FORMATS).join(', ')}`);
    }
    const spec = MUXER_FORMATS[init.format];
    if (!spec.streamable && init.path === undefined) {
      throw new ContainerError(
        'invalid-config',
        `the ${init.format} format seeks back to put its index first, so it needs a file path; give path, or use "fmp4" to stream`,
      );
    }
    if (!Array.isArray(init.tracks) || init.tracks.length === 0) throw new ContainerError('invalid-config', 'a Muxer needs at least one track');
    this.format = init.format;
    this.#path = init.path;
    this.#tracks = init.tracks.map((t) => ({
      init: t,
      config: t.config ?? null,
      firstChunk: undefined,
      prepared: null,
      decodeTimestamps: null,
    }));
    this.#native = new containerAddon.Muxer();
    this.#native.onevents = (events) => {
      for (const event of events) this.#handle(event);
    };

    this.writable = new WritableStream<MuxerInput>({
      write: (input) => this.#write(input),
      close: () => this.#close(),
      abort: (reason) => this.#abort(reason),
    });
    this.readable =
      init.path !== undefined
        ? null
        : new ReadableStream<Uint8Array>(
            {
              pull: async (controller) => {
                while (this.#output.length === 0 && !this.#finished && this.#failure === null) await this.#changed.wait();
                const bytes = this.#output.shift();
                if (bytes !== undefined) {
                  controller.enqueue(bytes);
                  this.#native.ack(bytes.byteLength);
                } else if (this.#failure !== null) {
                  controller.error(this.#failure);
                } else {
                  controller.close();
                }
              },
              cancel: (reason) => this.#abort(reason),
            },
            { highWaterMark: 0 },
          );
  }

  #handle(event: NativeMuxerEvent): void {
    switch (event.type) {
      case 'opened':
        this.#opened = true;
        break;
      case 'data':
        this.#output.push(event.bytes);
        break;
      case 'room':
        break;
      case 'finished':
        this.#finished = true;
        this.#native.close();
        break;
      case 'error':
        this.#fail(new ContainerError(event.code, `muxing ${this.format} failed: ${event.message}`));
        break;
      default:
        return;
    }
    this.#changed.notify();
  }

  #fail(error: ContainerError): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#native.close();
    this.#changed.notify();
  }

  #check(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  async #write(input: MuxerInput): Promise<void> {
    this.#check();
    const track = this.#tracks[input?.track];
    if (track === undefined) {
      throw new ContainerError('invalid-config', `chunk for track ${String(input?.track)}, but the muxer has ${this.#tracks.length} track(s)`);
    }
    const expected = track.init.kind === 'video' ? EncodedVideoChunk : EncodedAudioChunk;
    if (!(input.chunk instanceof expected)) {
      throw new TypeError(`track ${input.track} is a ${track.init.kind} track: its chunks must be ${expected.name}s`);
    }
    if (track.config === null && input.metadata?.decoderConfig !== undefined) track.config = input.metadata.decoderConfig;
    if (this.#opened) return this.#send(input);
    track.firstChunk ??= EncodedChunk.dataOf(input.chunk);
    this.#preHeader.push(input);
    if (this.#tracks.every((t) => t.config !== null && t.firstChunk !== undefined)) return this.#openAndDrain();
    if (this.#preHeader.length > MAX_CHUNKS_BEFORE_HEADER) {
      const waiting = this.#tracks.flatMap((t, i) => (t.config === null || t.firstChunk === undefined ? [i] : []));
      const error = new ContainerError(
        'invalid-config',
        `no chunk (with metadata.decoderConfig) for track(s) ${waiting.join(', ')} after ${MAX_CHUNKS_BEFORE_HEADER} chunks of the others; ` +
          `the file header needs every track: feed them all, or give their config in MuxerInit.tracks`,
      );
      this.#fail(error);
      throw error;
    }
  }

  async #openAndDrain(): Promise<void> {
    let tracks;
    try {
      tracks = this.#tracks.map((t, i) => {
        if (t.config === null) {
          throw new ContainerError('invalid-config', `track ${i} received no chunk and has no config; give MuxerInit.tracks[${i}].config`);
        }
        t.prepared = prepareTrack(t.init, t.config, t.firstChunk, i);
        if (t.prepared.reorders) t.decodeTimestamps = new DecodeTimestamps<OutPacket>(MINIMUM_REORDER_DELAY);
        return t.prepared.native;
      });
    } catch (error) {
      if (error instanceof ContainerError) this.#fail(error);
      throw error;
    }
    const spec = MUXER_FORMATS[this.format];
    this.#native.open({ format: spec.ffmpeg, ...(this.#path !== undefined ? { path: this.#path } : {}), options: { ...spec.options }, tracks });
    while (!this.#opened && this.#failure === null) await this.#changed.wait();
    this.#check();
    const held = this.#preHeader;
    this.#preHeader = [];
    for (const input of held) await this.#send(input);
  }

  async #send(input: MuxerInput): Promise<void> {
    const track = this.#tracks[input.track]!;
    const setup = track.prepared!.setup;
    const bytes = EncodedChunk.dataOf(input.chunk);
    const packet: OutPacket = {
      data: setup.rewrite ? setup.rewrite(bytes) : bytes,
      key: input.chunk.type === 'key',
      duration: input.chunk.duration ?? undefined,
    };
    const pts = input.chunk.timestamp;
    const ready: Timed<OutPacket>[] =
      track.decodeTimestamps !== null ? this.#decodeTimestamps(track.decodeTimestamps, packet, pts) : [{ item: packet, pts, dts: pts }];
    for (const timed of ready) await this.#writeNative(input.track, timed);
  }

  #decodeTimestamps(timestamps: DecodeTimestamps<OutPacket>, packet: OutPacket, pts: number): Timed<OutPacket>[] {
    try {
      return timestamps.push(packet, pts, packet.duration ?? null);
    } catch (error) {
      const failure = new ContainerError('invalid-config', (error as Error).message);
      this.#fail(failure);
      throw failure;
    }
  }

  async #writeNative(track: number, { item, pts, dts }: Timed<OutPacket>): Promise<void> {
    for (;;) {
      this.#check();
      if (this.#native.write(track, item.data, pts, dts, item.duration, item.key)) return;
      await this.#changed.wait(); // the inbox is full: wait for 'room'
    }
  }

  async #close(): Promise<void> {
    this.#check();
    if (!this.#opened) await this.#openAndDrain();
    for (let i = 0; i < this.#tracks.length; i++) {
      for (const timed of this.#tracks[i]!.decodeTimestamps?.flush() ?? []) await this.#writeNative(i, timed);
    }
    this.#native.finish();
    while (!this.#finished && this.#failure === null) await this.#changed.wait();
    this.#check();
  }

  #abort(reason: unknown): void {
    const message = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
    this.#fail(new ContainerError('cancelled', `the muxer was aborted: ${message}`));
  }
}
