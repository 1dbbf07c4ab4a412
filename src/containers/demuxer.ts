// Demuxer: reads a media file (MP4/MOV, WebM/Matroska, MPEG-TS, Ogg, FLAC, MP3, ADTS, IVF, H.264/HEVC
// Annex B, ...) with libavformat on a background thread, and hands out its packets as WebCodecs
// chunks in file order. Reading is pulled by the consumer: one bounded batch at a time.
import { adoptChunkData } from '../codecs/encoded-chunk.js';
import { EncodedAudioChunk } from '../codecs/encoded-audio-chunk.js';
import { EncodedVideoChunk } from '../codecs/encoded-video-chunk.js';
import { ContainerError } from './container-error.js';
import { describeTrack, type DemuxerTrack } from './demuxer-track.js';
import { resolveSource, type ByteSource, type DemuxerSource } from './demuxer-source.js';
import { containerAddon, type NativeDemuxer, type NativeDemuxerEvent, type NativePacket } from './native-containers.js';
import { splitTracks } from './split-tracks.js';

export interface DemuxerOptions {
  /** FFmpeg's name for the input format ("h264", "mpegts", ...) when probing the bytes is not
   * enough, e.g. for a stream with no file name to hint at it. */
  format?: string;
}

export interface DemuxedChunk {
  /** Index into `demuxer.tracks`. */
  track: number;
  chunk: EncodedVideoChunk | EncodedAudioChunk;
}

export interface ContainerFormat {
  /** FFmpeg's demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  name: string;
  longName: string;
  /** Microseconds, or null when the container does not say. */
  duration: number | null;
  bitRate: number;
}

// One read asks the thread for at most this much: the bound on what is read ahead of the consumer.
const BATCH_PACKETS = 32;
const BATCH_BYTES = 1 << 20;

const MOOV_HINT = 'an MP4 whose index (moov) is at the end cannot be read from a stream: pass a file path, or write it with +faststart';

type Pending = { resolve: (value: NativeDemuxerEvent) => void; reject: (error: unknown) => void };

export class Demuxer {
  readonly tracks: readonly DemuxerTrack[];
  readonly format: ContainerFormat;
  readonly readable: ReadableStream<DemuxedChunk>;
  readonly #native: NativeDemuxer;
  readonly #bytes: ByteSource | null;
  readonly #trackOfStream: Map<number, number>;
  #pending: Pending | null = null;
  #closed = false;

  private constructor(
    native: NativeDemuxer,
    bytes: ByteSource | null,
    opened: Extract<NativeDemuxerEvent, { type: 'opened' }>,
    describe: string,
  ) {
    this.#native = native;
    this.#bytes = bytes;
    this.format = {
      name: opened.format.name,
      longName: opened.format.longName,
      duration: opened.format.duration ?? null,
      bitRate: opened.format.bitRate,
    };
    this.tracks = Object.freeze(opened.streams.map((s, i) => Object.freeze(describeTrack(s, i, opened.format.duration))));
    this.#trackOfStream = new Map(opened.streams.map((s, i) => [s.index, i]));
    let ended = false;
    const counts = new Array<number>(this.tracks.length).fill(0);
    this.readable = new ReadableStream<DemuxedChunk>(
      {
        pull: async (controller) => {
          if (ended) return;
          const event = await this.#request(() => this.#native.read(BATCH_PACKETS, BATCH_BYTES), describe);
          if (event.type !== 'packets') return;
          for (const packet of event.packets) {
            const chunk = this.#toChunk(packet);
            counts[chunk.track]!++;
            controller.enqueue(chunk);
          }
          if (event.end) {
            ended = true;
            this.close();
            const truncated = this.#truncation(counts, describe);
            if (truncated !== null) controller.error(truncated);
            else controller.close();
          }
        },
        cancel: () => this.close(),
      },
      { highWaterMark: 1 },
    );
  }

  /** Opens `source` and reads its header (and, for formats without one, enough packets to know
   * the streams). Rejects with a ContainerError: 'not-found', 'invalid-data' (not media, corrupt,
   * truncated), 'unsupported' or 'io'. */
  static async open(source: DemuxerSource, options: DemuxerOptions = {}): Promise<Demuxer> {
    const resolved = await resolveSource(source);
    const describe = resolved.kind === 'path' ? resolved.path : 'the input stream';
    const native = new containerAddon.Demuxer();
    const bytes = resolved.kind === 'stream' ? resolved.bytes : null;
    // The instance does not exist until the header is read; events go to this opener until then.
    let opener: Pending | null = null;
    let instance: Demuxer | null = null;
    native.onevents = (events) => {
      for (const event of events) {
        if (event.type === 'need-data') {
          void Demuxer.#feed(native, bytes);
        } else if (instance !== null) {
          instance.#handle(event);
        } else if (opener !== null && (event.type === 'opened' || event.type === 'error')) {
          const settle = opener;
          opener = null;
          settle.resolve(event);
        }
      }
    };
    const event = await new Promise<NativeDemuxerEvent>((resolve, reject) => {
      opener = { resolve, reject };
      native.open({ ...(resolved.kind === 'path' ? { path: resolved.path } : {}), ...(options.format ? { format: options.format } : {}) });
    });
    if (event.type !== 'opened') {
      native.close();
      bytes?.cancel();
      throw Demuxer.#error(event as Extract<NativeDemuxerEvent, { type: 'error' }>, describe, resolved.kind === 'stream');
    }
    instance = new Demuxer(native, bytes, event, describe);
    return instance;
  }

  /** One ReadableStream per track (in `tracks` order), fed from `readable`. Read them
   * concurrently: a track's stream holds a bounded number of chunks before the others wait for
   * it; cancel the streams you do not want (their chunks are then dropped, not kept). */
  trackStreams(): ReadableStream<EncodedVideoChunk | EncodedAudioChunk>[] {
    return splitTracks(this.readable, this.tracks.length);
  }

  /** Stops reading and frees the FFmpeg objects (on the demuxer's thread). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
    this.#bytes?.cancel();
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(new ContainerError('cancelled', 'the demuxer was closed'));
  }

  static async #feed(native: NativeDemuxer, bytes: ByteSource | null): Promise<void> {
    if (bytes === null) return;
    try {
      const chunk = await bytes.next();
      if (chunk === null) native.end();
      else native.push(chunk);
    } catch (error) {
      native.fail(`the source stream failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #request(send: () => void, describe: string): Promise<NativeDemuxerEvent> {
    if (this.#closed) return Promise.reject(new ContainerError('cancelled', 'the demuxer was closed'));
    return new Promise<NativeDemuxerEvent>((resolve, reject) => {
      this.#pending = { resolve, reject };
      send();
    }).then((event) => {
      if (event.type === 'error') throw Demuxer.#error(event, describe, this.#bytes !== null);
      return event;
    });
  }

  #handle(event: NativeDemuxerEvent): void {
    if (event.type !== 'packets' && event.type !== 'error') return;
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(event);
  }

  #toChunk(packet: NativePacket): DemuxedChunk {
    const track = this.#trackOfStream.get(packet.stream)!;
    const init = {
      type: packet.key ? 'key' : 'delta',
      timestamp: packet.timestamp,
      ...(packet.duration !== undefined ? { duration: packet.duration } : {}),
      data: undefined,
      [adoptChunkData]: packet.data,
    } as unknown as ConstructorParameters<typeof EncodedVideoChunk>[0];
    const chunk = this.tracks[track]!.kind === 'video' ? new EncodedVideoChunk(init) : new EncodedAudioChunk(init);
    return { track, chunk };
  }

  /** libavformat ends a truncated file quietly (it logs "partial file"); an index that promises
   * more packets than the file gave (MP4's sample tables) tells. */
  #truncation(counts: number[], describe: string): ContainerError | null {
    const short = this.tracks.find((t) => t.frameCount !== null && counts[t.index]! < t.frameCount);
    if (short === undefined) return null;
    const streamedMp4 = this.#bytes !== null && this.format.name.includes('mp4');
    return new ContainerError(
      'invalid-data',
      `${describe} is truncated: track ${short.index} (${short.kind}) ended after ${counts[short.index]} of the ${short.frameCount} packets its index lists` +
        (streamedMp4 ? `; or ${MOOV_HINT}` : ''),
    );
  }

  static #error(event: Extract<NativeDemuxerEvent, { type: 'error' }>, describe: string, streaming: boolean): ContainerError {
    switch (event.code) {
      case 'invalid-data':
        return new ContainerError(
          'invalid-data',
          `${describe} is not a media file FFmpeg can read, or it is corrupt or truncated (${event.message})` +
            (streaming ? `; ${MOOV_HINT}` : ''),
        );
      case 'unsupported':
        return new ContainerError('unsupported', `cannot read ${describe}: ${event.message}`);
      case 'not-found':
        return new ContainerError('not-found', `no such file: ${describe}`);
      default:
        return new ContainerError(event.code, `reading ${describe} failed: ${event.message}`);
    }
  }
}
