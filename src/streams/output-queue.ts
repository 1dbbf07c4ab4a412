// The readable half of a codec stream: outputs the stream owns until a reader takes them.
//
// The ReadableStream itself is created with highWaterMark 0, so it never buffers: pull() is only
// called while a read is pending, and it hands over exactly one output. Everything waiting for a
// reader sits in this queue instead, where the stream can see it (the writer side stops when it is
// full) and can close it (a ReadableStream's internal queue is dropped on cancel without closing
// the VideoFrames in it, which would leak their native memory until garbage collection).

export interface OutputQueueInit<T> {
  /** Outputs held before the writable side stops accepting input (backpressure). */
  highWaterMark: number;
  /** Live mode: hold at most this many outputs, dropping the oldest instead of applying backpressure. */
  maxBuffered?: number;
  /** Closes what an output owns (a VideoFrame or AudioData); a no-op for encoded chunks. */
  release(output: T): void;
  /** An output was handed to a reader: there is room again. */
  onPull(): void;
  /** The reader cancelled the readable. */
  onCancel(reason: unknown): void;
  /** Live mode dropped (and released) the oldest output. */
  onDrop(): void;
  /** The readable closed after its last output was read. */
  onDrained(): void;
}

type QueueState = 'open' | 'finishing' | 'closed' | 'errored';

export class OutputQueue<T> {
  readonly readable: ReadableStream<T>;
  #items: T[] = [];
  #state: QueueState = 'open';
  #controller!: ReadableStreamDefaultController<T>;
  #pendingPull: (() => void) | null = null;
  readonly #init: OutputQueueInit<T>;

  constructor(init: OutputQueueInit<T>) {
    this.#init = init;
    this.readable = new ReadableStream<T>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#pull(),
        cancel: (reason) => this.#cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }

  /** Outputs waiting for a reader. */
  get length(): number {
    return this.#items.length;
  }

  /** Whether the writable side may hand the codec more input as far as this queue is concerned. */
  get hasRoom(): boolean {
    return this.#init.maxBuffered !== undefined || this.#items.length < this.#init.highWaterMark;
  }

  /** A codec output arrived. The codec cannot be told to wait, so this never refuses: the bound is
   * kept by the writable side, which stops feeding the codec while the queue is full. */
  push(output: T): void {
    if (this.#state !== 'open') {
      this.#init.release(output);
      return;
    }
    if (this.#pendingPull !== null) {
      // A reader is waiting: the output goes straight to it and belongs to it from here on.
      this.#controller.enqueue(output);
      this.#resolvePendingPull();
      return;
    }
    const max = this.#init.maxBuffered;
    if (max !== undefined && this.#items.length >= max) {
      this.#init.release(this.#items.shift()!);
      this.#init.onDrop();
    }
    this.#items.push(output);
  }

  /** No more outputs will come: close the readable once the reader has taken the queued ones. */
  finish(): void {
    if (this.#state !== 'open') return;
    this.#state = 'finishing';
    if (this.#items.length === 0) this.#closeReadable();
  }

  /** The stream failed: close every queued output and error the readable with `reason`. */
  error(reason: unknown): void {
    if (this.#state === 'closed' || this.#state === 'errored') {
      this.#releaseAll();
      return;
    }
    this.#state = 'errored';
    this.#releaseAll();
    this.#controller.error(reason);
    this.#resolvePendingPull();
  }

  #pull(): Promise<void> | void {
    const output = this.#items.shift();
    if (output !== undefined) {
      this.#controller.enqueue(output);
      if (this.#state === 'finishing' && this.#items.length === 0) this.#closeReadable();
      this.#init.onPull();
      return;
    }
    if (this.#state !== 'open') return;
    // Nothing yet: the stream will not call pull() again until this settles, and push() or the
    // end of the stream settles it.
    return new Promise<void>((resolve) => {
      this.#pendingPull = resolve;
    });
  }

  #cancel(reason: unknown): void {
    if (this.#state === 'open' || this.#state === 'finishing') this.#state = 'errored';
    this.#releaseAll();
    this.#resolvePendingPull();
    this.#init.onCancel(reason);
  }

  #closeReadable(): void {
    this.#state = 'closed';
    this.#controller.close();
    this.#resolvePendingPull();
    this.#init.onDrained();
  }

  #resolvePendingPull(): void {
    const resolve = this.#pendingPull;
    this.#pendingPull = null;
    resolve?.();
  }

  #releaseAll(): void {
    const items = this.#items;
    this.#items = [];
    for (const item of items) this.#init.release(item);
  }
}
