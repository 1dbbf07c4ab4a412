// A codec stream: one spec codec (VideoEncoder, VideoDecoder, AudioEncoder, AudioDecoder) between
// a WritableStream and a ReadableStream, with the shape of a GenericTransformStream ({ readable,
// writable }) so pipeThrough() works. Not a second engine: every input goes through the codec's
// own encode()/decode(), every output comes from its output callback, and backpressure is read
// from the codec's spec state (encodeQueueSize/decodeQueueSize and `dequeue` events).
//
//   writer.write(x) ─► sink write: wait for room; encode/decode(x); close x; wait for room
//   codec output    ─► OutputQueue (owned, bounded) ─► readable pull() hands out one output
//   writer.close()  ─► flush the codec; the readable closes after its last output; close the codec
//   abort / cancel  ─► reset and close the codec; close everything still owned; settle both sides
//   codec error     ─► both sides error with the codec's DOMException
//
// "Room" means the codec's queue is below the writable bound (woken by `dequeue` events) and the
// owned output queue is below the readable bound (woken by the reader's pull). So, whatever the
// speeds of producer and consumer, what is in flight is at most: the writable bound (inputs the
// codec has not taken yet, counting the one the sink holds) + the codec's delay (inputs it took
// and has not answered yet: the worker's inbox, the input in work, the frames the codec holds
// back) + the readable bound. The output queue alone can pass the readable bound by what was in
// flight when it filled up (a codec cannot be told to keep an output), but never that sum.
import type { CodecState, WebCodecsErrorCallback } from '../codecs/codec-base.js';
import { OutputQueue } from './output-queue.js';

export interface CodecStreamOptions {
  /** Bound on the codec's encodeQueueSize/decodeQueueSize: a write resolves only when the codec
   * has taken the input and its queue is below this. Default {@link DEFAULT_HIGH_WATER_MARK}. */
  highWaterMark?: number;
  /** Bound on the outputs the stream holds for the reader: while that many wait, writes stop
   * resolving. Default {@link DEFAULT_READABLE_HIGH_WATER_MARK}. */
  readableHighWaterMark?: number;
  /** Aborting the signal aborts the stream, as `writable.abort(signal.reason)` would. */
  signal?: AbortSignal;
}

/**
 * Default bound on the codec's queue (encodeQueueSize/decodeQueueSize). Measured on the shared
 * 2-core development machine, producer and consumer never waiting, median of 5 runs at a load
 * average of 5-10 (so +-15% is noise); "1 -> 153 ms" means the run took 153 ms with a bound of 1:
 *
 *   test-codec encoder stream -> test-codec decoder stream:
 *     1,000 720p frames, codec at 20 us per input (JavaScript is the slow side):
 *       1 -> 153 ms, 2 -> 142 ms, 4 -> 141 ms, 8 -> 136 ms
 *     1,000 16x16 frames, codec at 20 or 50 us per input: 1, 2, 4, 8 all 148-156 ms (one 188)
 *     60 720p frames, codec at 2 ms per input (the codec is the slow side): 1, 2, 4 all 141-148 ms
 *   H.264, 90 frames 640x360 encode: 1, 2, 4, 16 all 146-155 ms
 *   H.264, 240 frames 320x180 decode + re-encode: 107-195 ms, no order that held between runs
 *
 * The codec worker's own inbox (4 large inputs, up to 64 small ones) keeps it busy while the
 * stream refills the queue, so the bound barely matters for speed. With 1, the sink can only
 * refill after a dequeue event, one turn of the event loop later, which showed as a few percent
 * with large frames and a fast codec; 2 is the smallest bound without that, and every unit more
 * is one more frame held in memory. Hence 2.
 */
export const DEFAULT_HIGH_WATER_MARK = 2;

/** Default bound on outputs waiting for a reader. 1, 2 and 4 measured the same (setup above);
 * 2 lets one output wait while the reader is busy with the previous one, so a reader exactly as
 * fast as the codec does not stall it on every output. More only adds memory when the reader is
 * the slow side. */
export const DEFAULT_READABLE_HIGH_WATER_MARK = 2;

/** The part of the spec codec surface a codec stream drives; all four codec classes have it. */
export interface StreamableCodec {
  readonly state: CodecState;
  flush(): Promise<void>;
  reset(): void;
  close(): void;
  addEventListener(type: 'dequeue', listener: () => void): void;
}

/** The callbacks a codec stream gives the codec it creates. */
export interface CodecStreamCallbacks<Output> {
  output: (output: Output) => void;
  error: WebCodecsErrorCallback;
}

export interface CodecStreamInit<Output, Codec extends StreamableCodec> {
  /** Creates the spec codec with the stream's callbacks. */
  createCodec(callbacks: CodecStreamCallbacks<Output>): Codec;
  /** Configures the new codec; what it throws, the constructor throws (after closing the codec). */
  configure(codec: Codec): void;
  /** Live mode: bound the output queue by dropping the oldest outputs instead of backpressure. */
  maxBufferedOutputs?: number;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be an integer >= 1 (got ${String(value)})`);
  return n;
}

/** A control operation (configure, requestKeyFrame) and how many writes must reach the codec before it runs. */
interface OrderedControl {
  afterInputs: number;
  run: () => void;
}

export abstract class CodecStream<Input, Output, Codec extends StreamableCodec> {
  readonly readable: ReadableStream<Output>;
  readonly writable: WritableStream<Input>;
  protected readonly codec: Codec;
  readonly #outputs: OutputQueue<Output>;
  readonly #highWaterMark: number;
  #writableController!: WritableStreamDefaultController;
  /** Inputs written into the stream and not yet handed to the codec: the stream closes them if it
   * never gets to. Filled by the writable's size() at write() time, so it includes writes still
   * waiting in the WritableStream's own queue, which the sink never sees when the stream fails. */
  readonly #ownedInputs = new Set<Input>();
  /** Writes accepted (counted at write() time, in call order) and writes handed to the codec. */
  #inputsWritten = 0;
  #inputsSubmitted = 0;
  #controls: OrderedControl[] = [];
  #dequeueEvents = 0;
  #wakeSink: (() => void) | null = null;
  /** Set once: why the stream ended early (abort, cancel, codec error, a bad input). */
  #failure: { reason: unknown } | null = null;
  /** The writable side is finished (closed or failed): later writes are released at once. */
  #writableDone = false;
  /** The sink's close algorithm has started: no more writes will come. */
  #closing = false;
  /** writable.abort() is under way: the WritableStream errors itself, the stream must not. */
  #writableAborting = false;
  #signal: AbortSignal | undefined;
  readonly #onSignalAbort = (): void => this.#fail(this.#signal?.reason);

  protected constructor(init: CodecStreamInit<Output, Codec>, options: CodecStreamOptions | null | undefined) {
    options ??= {};
    this.#highWaterMark = positiveInteger(options.highWaterMark, 'highWaterMark', DEFAULT_HIGH_WATER_MARK);
    const readableHighWaterMark = positiveInteger(
      options.readableHighWaterMark,
      'readableHighWaterMark',
      DEFAULT_READABLE_HIGH_WATER_MARK,
    );
    const maxBuffered =
      init.maxBufferedOutputs === undefined ? undefined : positiveInteger(init.maxBufferedOutputs, 'live.maxBufferedFrames', 1);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');

    this.#outputs = new OutputQueue<Output>({
      highWaterMark: readableHighWaterMark,
      ...(maxBuffered !== undefined ? { maxBuffered } : {}),
      release: (output) => this.releaseOutput(output),
      onPull: () => this.#wake(),
      onCancel: (reason) => this.#fail(reason),
      onDrop: () => this.outputDropped(),
      onDrained: () => this.#detachSignal(),
    });
    this.readable = this.#outputs.readable;

    const codec = init.createCodec({
      output: (output) => this.#outputs.push(output),
      error: (error) => this.#fail(error),
    });
    try {
      init.configure(codec);
    } catch (error) {
      codec.close();
      throw error;
    }
    this.codec = codec;
    codec.addEventListener('dequeue', () => {
      this.#dequeueEvents++;
      this.#wake();
    });

    this.writable = new WritableStream<Input>(
      {
        start: (controller) => {
          this.#writableController = controller;
          // Fires at abort() time, before the WritableStream waits for the write in progress,
          // which may itself be waiting for room that only a reader can make.
          // (WritableStreamDefaultController.signal exists in Node 20; @types/node 20 does not declare it.)
          const { signal } = controller as WritableStreamDefaultController & { readonly signal: AbortSignal };
          signal.addEventListener('abort', () => {
            this.#writableAborting = true;
            this.#fail(signal.reason);
          });
        },
        write: (input) => this.#write(input),
        close: () => this.#close(),
        abort: (reason) => this.#fail(reason),
      },
      // One write in progress at a time, and no second queue in front of the codec: the codec's
      // own queue, bounded by highWaterMark, is where inputs wait.
      { highWaterMark: 1, size: (input) => this.#acceptInput(input) },
    );

    if (signal !== undefined) {
      this.#signal = signal;
      if (signal.aborted) this.#fail(signal.reason);
      else signal.addEventListener('abort', this.#onSignalAbort, { once: true });
    }
  }

  // --- what each kind of codec stream provides ------------------------------------------------

  /** The codec's encodeQueueSize or decodeQueueSize. */
  protected abstract get codecQueueSize(): number;
  /** Hands one input to the codec (encode, decode, or an in-band configure) and releases what the
   * input owns. Returns whether an input went into the codec's queue. Throws what the codec throws. */
  protected abstract submitInput(input: Input): boolean;
  /** Closes what an input owns when it will never reach the codec. */
  protected abstract releaseInput(input: Input): void;
  /** Closes what an output owns when no reader will get it. */
  protected abstract releaseOutput(output: Output): void;
  /** Live mode dropped an output (for counters). */
  protected outputDropped(): void {}

  // --- shared surface -------------------------------------------------------------------------

  /** Outputs the stream holds for the reader. */
  get outputQueueSize(): number {
    return this.#outputs.length;
  }

  /** Runs `control` after every input written before this call has been handed to the codec
   * (at once if there are none), so configure() and requestKeyFrame() apply in write order. */
  protected runInWriteOrder(method: string, control: () => void): void {
    if (this.#failure !== null || this.#writableDone || this.#closing) {
      throw new DOMException(`${this.constructor.name}.${method}(): the stream is closing or has ended`, 'InvalidStateError');
    }
    if (this.#controls.length === 0 && this.#inputsSubmitted === this.#inputsWritten) {
      control();
      return;
    }
    this.#controls.push({ afterInputs: this.#inputsWritten, run: control });
  }

  // --- the writable side ----------------------------------------------------------------------

  /** The writable's size(): called by write() itself, in call order, before the write is queued. */
  #acceptInput(input: Input): number {
    if (this.#writableDone) {
      // The write is about to be rejected; it was still handed over, so it is the stream's to close.
      this.releaseInput(input);
    } else {
      this.#inputsWritten++;
      this.#ownedInputs.add(input);
    }
    return 1;
  }

  /** The sink's write algorithm. */
  async #write(input: Input): Promise<void> {
    await this.#until(() => this.#hasRoom());
    this.#ownedInputs.delete(input);
    const queueBefore = this.codecQueueSize;
    const dequeueEventsBefore = this.#dequeueEvents;
    let queued: boolean;
    try {
      queued = this.submitInput(input);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    this.#inputsSubmitted++;
    this.#runDueControls();
    if (queued && this.codecQueueSize <= queueBefore) {
      // The codec's worker took the input at once. Wait for the dequeue event that reports it
      // (the next turn of the event loop): the outputs the worker produced meanwhile reach
      // JavaScript and count against the readable bound before the next input goes in. Without
      // this, a producer whose writes resolve in microtasks could feed a fast codec without ever
      // letting its outputs in, and they would pile up unseen.
      await this.#until(() => this.#dequeueEvents !== dequeueEventsBefore);
    }
    await this.#until(() => this.#hasRoom());
  }

  /** The sink's close algorithm: flush, hand out the rest, close. */
  async #close(): Promise<void> {
    this.#closing = true;
    try {
      this.#runAllControls();
      if (this.codec.state === 'configured') await this.codec.flush();
    } catch (error) {
      const reason = this.#failure !== null ? this.#failure.reason : error;
      this.#fail(reason);
      throw reason;
    }
    if (this.#failure !== null) throw this.#failure.reason;
    this.#writableDone = true;
    if (this.codec.state !== 'closed') this.codec.close();
    this.#releaseOwnedInputs(); // writes rejected because close() came first
    this.#outputs.finish();
  }

  #hasRoom(): boolean {
    return this.codecQueueSize < this.#highWaterMark && this.#outputs.hasRoom;
  }

  /** Waits, woken by dequeue events, pulls and failure, until `condition` holds; throws the failure. */
  async #until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure.reason;
      if (condition()) return;
      await new Promise<void>((resolve) => {
        this.#wakeSink = resolve;
      });
    }
  }

  #wake(): void {
    const wake = this.#wakeSink;
    this.#wakeSink = null;
    wake?.();
  }

  #runDueControls(): void {
    while (this.#controls.length > 0 && this.#controls[0]!.afterInputs <= this.#inputsSubmitted) {
      const control = this.#controls.shift()!;
      try {
        control.run();
      } catch (error) {
        this.#fail(error);
        throw error;
      }
    }
  }

  /** At close(): controls still waiting were requested after writes that were rejected. */
  #runAllControls(): void {
    for (const control of this.#controls.splice(0)) control.run();
  }

  // --- ending early ---------------------------------------------------------------------------

  /** Abort, cancel, codec error or a bad input: reset and close the codec (Close runs Reset),
   * close everything the stream still owns, and settle both sides with `reason`. */
  #fail(reason: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = { reason };
    this.#writableDone = true;
    if (this.codec.state !== 'closed') this.codec.close();
    this.#releaseOwnedInputs();
    this.#outputs.error(reason);
    if (!this.#writableAborting) this.#writableController.error(reason);
    this.#controls = [];
    this.#detachSignal();
    this.#wake();
  }

  #releaseOwnedInputs(): void {
    const inputs = [...this.#ownedInputs];
    this.#ownedInputs.clear();
    for (const input of inputs) this.releaseInput(input);
  }

  #detachSignal(): void {
    this.#signal?.removeEventListener('abort', this.#onSignalAbort);
    this.#signal = undefined;
  }
}
