// A decoder as a stream, for any spec decoder (VideoDecoder, AudioDecoder): encoded chunks in
// (or { config } in-band, which reconfigures the decoder in order, as a demuxer announcing a new
// track configuration needs), decoded frames out.
//
// Ownership: a frame read from the readable belongs to the reader, who closes it. Frames the
// stream still holds when it is cancelled, aborted or errored are closed by the stream.
import { CodecStream, type CodecStreamCallbacks, type CodecStreamOptions, type StreamableCodec } from './codec-stream.js';
import type { ClosableMedia } from './encoder-stream.js';

/** In-band reconfiguration: decoded in order with the chunks around it. */
export interface DecoderConfigInput<Config> {
  config: Config;
}

/** What a decoder stream's writable takes. */
export type DecoderStreamInput<Chunk, Config> = Chunk | DecoderConfigInput<Config>;

export interface LiveOptions {
  /** Frames held for the reader at most; when another one arrives, the oldest is closed and
   * dropped (counted in droppedFrames) instead of slowing the decoder down. */
  maxBufferedFrames: number;
}

export interface DecoderStreamOptions extends CodecStreamOptions {
  /** Live relays: while the decoder needs a key chunk (at the start, after an in-band config),
   * drop delta chunks (counted in droppedChunks) instead of failing with DataError. */
  skipUntilKeyChunk?: boolean;
  /** Live playback: never apply backpressure for a slow reader; drop the oldest frames instead
   * (maxBufferedFrames then takes the place of readableHighWaterMark). The codec's own queue
   * still bounds the writable side, so writes go as fast as the decoder decodes. */
  live?: LiveOptions;
}

/** The spec decoder surface a decoder stream uses. */
export interface StreamableDecoder<Chunk, Config> extends StreamableCodec {
  readonly decodeQueueSize: number;
  configure(config: Config): void;
  decode(chunk: Chunk): void;
}

/** The init dictionary of a spec decoder (VideoDecoderInit, AudioDecoderInit). */
export interface DecoderInit<Frame> {
  output: (frame: Frame) => void;
  error: CodecStreamCallbacks<unknown>['error'];
}

function isConfigInput<Chunk, Config>(input: DecoderStreamInput<Chunk, Config>): input is DecoderConfigInput<Config> {
  // Encoded chunks have no `config` member.
  return typeof input === 'object' && input !== null && 'config' in input;
}

export abstract class DecoderStream<Chunk, Config, Frame extends ClosableMedia> extends CodecStream<
  DecoderStreamInput<Chunk, Config>,
  Frame,
  StreamableDecoder<Chunk, Config>
> {
  #droppedChunks = 0;
  #droppedFrames = 0;
  readonly #skipUntilKeyChunk: boolean;

  /**
   * @param config the initial configuration; null when the first input is an in-band `{ config }`.
   */
  protected constructor(
    createDecoder: (init: DecoderInit<Frame>) => StreamableDecoder<Chunk, Config>,
    config: Config | null | undefined,
    options: DecoderStreamOptions | null | undefined,
  ) {
    options ??= {};
    const live = options.live;
    if (live !== undefined && (typeof live !== 'object' || live === null)) {
      throw new TypeError('live must be an object like { maxBufferedFrames: 4 }');
    }
    super(
      {
        createCodec: ({ output, error }) => createDecoder({ output, error }),
        configure: (decoder) => {
          if (config !== null && config !== undefined) decoder.configure(config);
        },
        ...(live !== undefined ? { maxBufferedOutputs: live.maxBufferedFrames } : {}),
      },
      options,
    );
    this.#skipUntilKeyChunk = Boolean(options.skipUntilKeyChunk);
  }

  get decodeQueueSize(): number {
    return this.codec.decodeQueueSize;
  }

  /** Delta chunks dropped while waiting for a key chunk (skipUntilKeyChunk). */
  get droppedChunks(): number {
    return this.#droppedChunks;
  }

  /** Decoded frames closed unread because the reader fell behind (live). */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  protected get codecQueueSize(): number {
    return this.codec.decodeQueueSize;
  }

  protected submitInput(input: DecoderStreamInput<Chunk, Config>): boolean {
    if (isConfigInput(input)) {
      this.codec.configure(input.config);
      return false;
    }
    try {
      this.codec.decode(input);
    } catch (error) {
      // decode() throws DataError, without touching the decoder's state, exactly when it needs a
      // key chunk and did not get one: the chunk to skip.
      if (this.#skipUntilKeyChunk && error instanceof DOMException && error.name === 'DataError') {
        this.#droppedChunks++;
        return false;
      }
      throw error;
    }
    return true;
  }

  protected releaseInput(): void {
    // Encoded chunks and configs own no native memory.
  }

  protected releaseOutput(frame: Frame): void {
    frame.close();
  }

  protected override outputDropped(): void {
    this.#droppedFrames++;
  }
}
