// An encoder as a stream, for any spec encoder (VideoEncoder, AudioEncoder): raw media in
// (a frame, or { frame, options } for per-frame encode options), { chunk, metadata } out.
//
// Ownership: a frame written into the stream belongs to the stream from write() on. The stream
// closes it right after encode(), since the encoder holds its own reference by then, or when the
// stream ends before the frame reached the encoder (including writes still waiting in the
// WritableStream's queue). The one exception: a write to a stream that has already errored or
// closed is rejected by the WritableStream without the stream ever seeing the frame, so it stays
// the caller's. Callers can simply close every frame whose write() rejected: closing a closed
// frame does nothing.
import { CodecStream, type CodecStreamCallbacks, type CodecStreamOptions, type StreamableCodec } from './codec-stream.js';

/** A frame (VideoFrame, AudioData) as far as the stream is concerned: something it must close. */
export interface ClosableMedia {
  close(): void;
}

/** A frame with the encode() options for it, e.g. `{ frame, options: { keyFrame: true } }`. */
export interface FrameWithEncodeOptions<Frame, EncodeOptions> {
  frame: Frame;
  options?: EncodeOptions;
}

/** What an encoder stream's writable takes. */
export type EncoderStreamInput<Frame, EncodeOptions> = Frame | FrameWithEncodeOptions<Frame, EncodeOptions>;

/** What an encoder stream's readable gives: the two arguments of the encoder's output callback. */
export interface EncoderStreamOutput<Chunk, Metadata> {
  chunk: Chunk;
  /** The output callback's metadata; `{}` when the encoder gave none. */
  metadata: Metadata;
}

export type EncoderStreamOptions = CodecStreamOptions;

/** The spec encoder surface an encoder stream uses. */
export interface StreamableEncoder<Frame, EncodeOptions, Config> extends StreamableCodec {
  readonly encodeQueueSize: number;
  configure(config: Config): void;
  encode(frame: Frame, options?: EncodeOptions): void;
}

/** The init dictionary of a spec encoder (VideoEncoderInit, AudioEncoderInit). */
export interface EncoderInit<Chunk, Metadata> {
  output: (chunk: Chunk, metadata?: Metadata) => void;
  error: CodecStreamCallbacks<unknown>['error'];
}

function isFrameWithOptions<Frame, EncodeOptions>(
  input: EncoderStreamInput<Frame, EncodeOptions>,
): input is FrameWithEncodeOptions<Frame, EncodeOptions> {
  // VideoFrame and AudioData have no `frame` member, so this tells the two forms apart.
  return typeof input === 'object' && input !== null && 'frame' in input;
}

export abstract class EncoderStream<
  Frame extends ClosableMedia,
  EncodeOptions extends { keyFrame?: boolean },
  Config,
  Chunk,
  Metadata extends object,
> extends CodecStream<
  EncoderStreamInput<Frame, EncodeOptions>,
  EncoderStreamOutput<Chunk, Metadata>,
  StreamableEncoder<Frame, EncodeOptions, Config>
> {
  #keyFrameRequested = false;
  readonly #validateConfig: (config: Config) => void;

  /**
   * @param createEncoder creates the spec encoder from its init dictionary.
   * @param validateConfig throws what the encoder's configure() would throw for an invalid
   *   config (TypeError), so configure() on the stream fails at the call even when it is applied
   *   later, in write order.
   */
  protected constructor(
    createEncoder: (init: EncoderInit<Chunk, Metadata>) => StreamableEncoder<Frame, EncodeOptions, Config>,
    config: Config,
    options: EncoderStreamOptions | undefined,
    validateConfig: (config: Config) => void = () => {},
  ) {
    super(
      {
        createCodec: ({ output, error }) =>
          createEncoder({ output: (chunk, metadata) => output({ chunk, metadata: metadata ?? ({} as Metadata) }), error }),
        configure: (encoder) => encoder.configure(config),
      },
      options,
    );
    this.#validateConfig = validateConfig;
  }

  get encodeQueueSize(): number {
    return this.codec.encodeQueueSize;
  }

  /** Reconfigures the encoder after every frame written before this call (the encoder's
   * configure() then orders it after those frames, as the spec's control message queue does). */
  configure(config: Config): void {
    this.#validateConfig(config);
    this.runInWriteOrder('configure', () => this.codec.configure(config));
  }

  /** Makes the next frame written after this call a key frame. Public on video encoder streams;
   * every audio chunk is a key chunk already. */
  protected requestKeyFrame(): void {
    this.runInWriteOrder('requestKeyFrame', () => {
      this.#keyFrameRequested = true;
    });
  }

  protected get codecQueueSize(): number {
    return this.codec.encodeQueueSize;
  }

  protected submitInput(input: EncoderStreamInput<Frame, EncodeOptions>): boolean {
    const { frame, options } = isFrameWithOptions(input) ? input : { frame: input, options: undefined };
    try {
      if (this.#keyFrameRequested) {
        this.codec.encode(frame, { ...options, keyFrame: true } as EncodeOptions);
        this.#keyFrameRequested = false;
      } else if (options !== undefined) {
        this.codec.encode(frame, options);
      } else {
        this.codec.encode(frame);
      }
    } finally {
      // The encoder cloned the frame (it holds its own reference), or refused it: either way the
      // stream's reference is no longer needed.
      closeIfClosable(frame);
    }
    return true;
  }

  protected releaseInput(input: EncoderStreamInput<Frame, EncodeOptions>): void {
    closeIfClosable(isFrameWithOptions(input) ? input.frame : input);
  }

  protected releaseOutput(): void {
    // Encoded chunks own no native memory.
  }
}

/** Closes a frame; tolerates a bad input (the encoder reports that as a TypeError instead). */
function closeIfClosable(frame: unknown): void {
  if (typeof frame === 'object' && frame !== null && typeof (frame as ClosableMedia).close === 'function') {
    (frame as ClosableMedia).close();
  }
}
