// The spec's codec processing model, once for all four codec classes (VideoEncoder,
// VideoDecoder, AudioEncoder, AudioDecoder): [[state]], the [[control message queue]],
// [[message queue blocked]], [[codec saturated]], the encode/decode queue size, coalesced
// `dequeue` events, [[pending flush promises]], Reset and Close. The [[codec work queue]] is the
// native CodecWorker (one thread per instance).
//
// Every message and output carries a generation; reset() and close() start a new one, so nothing
// produced for the old configuration reaches a callback afterwards, even when reset() is called
// from inside an output callback in the middle of a batch.
import { native, type CodecRole, type NativeCodecWorker, type NativeConfig, type NativeEvent, type NativeOutput } from '../native.js';
import { domException, invalidState, reportCallbackError, type CodecErrorName } from './errors.js';
import { resourceLimits } from './resource-limits.js';
import { codecThreadCount } from './threading.js';

export type CodecState = 'unconfigured' | 'configured' | 'closed';

export type WebCodecsErrorCallback = (error: DOMException) => void;

/** A codec input waiting in the control message queue (a clone of the caller's frame or chunk). */
export interface QueuedInput {
  /** Bytes the input keeps alive, for resource reclamation. */
  readonly bytes: number;
  /** Hand the input to the native worker; false when its inbox is full (saturated). */
  send(worker: NativeCodecWorker, generation: number): boolean;
  /** Release what the queue owns (the frame clone); called once, after sending or when dropped. */
  release(): void;
}

type ControlMessage =
  | { kind: 'configure'; config: NativeConfig | null; unsupported: string; activate: () => void }
  | { kind: 'input'; input: QueuedInput }
  | { kind: 'flush'; id: number };

interface PendingFlush {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Inputs the native inbox holds before the codec counts as saturated: enough that the worker
 * never waits for JavaScript between inputs, small enough to bound memory. (Encoders' inboxes go
 * deeper for small frames, natively; decoders' stay at this count, since a chunk's size says
 * nothing of the frame it decodes to.) */
const DEFAULT_INBOX_CAPACITY = 4;

export abstract class CodecBase extends EventTarget {
  #state: CodecState = 'unconfigured';
  #controlMessageQueue: ControlMessage[] = [];
  #messageQueueBlocked = false;
  #codecSaturated = false;
  #queueSize = 0;
  #queuedBytes = 0;
  #pendingFlushPromises = new Map<number, PendingFlush>();
  #nextFlushId = 1;
  #dequeueEventScheduled = false;
  #activateConfiguration: () => void = () => {};
  #generation = 1;
  #worker: NativeCodecWorker | null;
  #errorCallback: WebCodecsErrorCallback;
  #ondequeue: ((ev: Event) => unknown) | null = null;
  readonly #maxQueuedBytes: number;

  protected constructor(
    role: CodecRole,
    errorCallback: WebCodecsErrorCallback,
    maxQueuedBytes?: number,
    inboxCapacity = DEFAULT_INBOX_CAPACITY,
  ) {
    super();
    this.#errorCallback = errorCallback;
    this.#maxQueuedBytes = maxQueuedBytes ?? resourceLimits.maxQueuedBytes;
    const worker = new native.CodecWorker(role, inboxCapacity);
    // The worker holds this handler as a plain property (not a native root), so an idle codec
    // that nothing references can still be garbage collected.
    worker.onevents = (events) => this.#handleEvents(events);
    this.#worker = worker;
    // The ondequeue event handler attribute, invoked like a listener registered first.
    this.addEventListener('dequeue', (event) => {
      if (this.#ondequeue !== null) {
        try {
          this.#ondequeue.call(this, event);
        } catch (error) {
          reportCallbackError(error);
        }
      }
    });
  }

  get state(): CodecState {
    return this.#state;
  }

  protected get queueSize(): number {
    return this.#queueSize;
  }

  get ondequeue(): ((ev: Event) => unknown) | null {
    return this.#ondequeue;
  }

  set ondequeue(handler: ((ev: Event) => unknown) | null) {
    this.#ondequeue = typeof handler === 'function' ? handler : null;
  }

  /** What subclasses do with an output of the current generation. */
  protected abstract handleOutput(output: NativeOutput): void;
  /** Release an output that will not be delivered (stale generation or closed codec). */
  protected abstract discardOutput(output: NativeOutput): void;
  /** Called by Reset, after the queue is cleared (subclasses clear their own active config). */
  protected abstract onReset(): void;

  protected get className(): string {
    return this.constructor.name;
  }

  // --- spec methods, shared ---------------------------------------------------------------

  /** configure() steps 2-6, after the subclass validated the config (step 1). `nativeConfig` is
   * null when Check Configuration Support already failed in JavaScript; `unsupported` says why. */
  /** `activate` runs when the codec has taken the configuration (every output before it was made
   * with the previous one): subclasses make it their active config then, not at configure() time. */
  protected queueConfigure(nativeConfig: NativeConfig | null, unsupported = '', activate: () => void = () => {}): void {
    if (this.#state === 'closed') throw invalidState(`${this.className} is closed; create a new one`);
    this.#state = 'configured';
    this.#controlMessageQueue.push({ kind: 'configure', config: nativeConfig, unsupported, activate });
    this.#processControlMessageQueue();
  }

  /** encode()/decode() after the subclass validated and cloned the input. */
  protected queueInput(input: QueuedInput): void {
    this.#queueSize++;
    this.#queuedBytes += input.bytes;
    this.#controlMessageQueue.push({ kind: 'input', input });
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      // Resource Reclamation: unbounded queued work would take the process down; close instead.
      this.#close(
        domException(
          'QuotaExceededError',
          `${this.className} has more than ${this.#maxQueuedBytes} bytes of queued, unprocessed work; ` +
            `wait for 'dequeue' events (or check ${this.queueSizeName}) before queueing more`,
        ),
      );
      return;
    }
    this.#processControlMessageQueue();
  }

  protected abstract get queueSizeName(): string;

  protected assertConfigured(method: string): void {
    if (this.#state !== 'configured') {
      throw invalidState(`${this.className}.${method}() needs a configured codec (state is "${this.#state}"); call configure() first`);
    }
  }

  flush(): Promise<void> {
    if (this.#state !== 'configured') {
      return Promise.reject(
        invalidState(`${this.className}.flush() needs a configured codec (state is "${this.#state}")`),
      );
    }
    this.onFlush();
    const id = this.#nextFlushId++;
    const promise = new Promise<void>((resolve, reject) => {
      this.#pendingFlushPromises.set(id, { resolve, reject });
    });
    this.#controlMessageQueue.push({ kind: 'flush', id });
    this.#processControlMessageQueue();
    return promise;
  }

  /** Decoders set [[key chunk required]] here. */
  protected onFlush(): void {}

  reset(): void {
    this.#reset(domException('AbortError', `${this.className}.reset() was called; pending flushes are aborted`));
  }

  close(): void {
    // "Close VideoEncoder" runs "Reset VideoEncoder" first, which throws on a closed codec.
    if (this.#state === 'closed') throw invalidState(`${this.className} is already closed`);
    this.#close(domException('AbortError', `${this.className}.close() was called; pending flushes are aborted`));
  }

  // --- spec algorithms ----------------------------------------------------------------------

  /** "Reset VideoEncoder" and its three siblings. */
  #reset(exception: DOMException): void {
    if (this.#state === 'closed') throw invalidState(`${this.className} is closed; create a new one`);
    this.#state = 'unconfigured';
    this.onReset();
    // Signal [[codec implementation]] to cease producing output for the previous configuration.
    this.#generation++;
    this.#worker?.reset(this.#generation);
    this.#messageQueueBlocked = false;
    this.#codecSaturated = false;
    for (const message of this.#controlMessageQueue) {
      if (message.kind === 'input') message.input.release();
    }
    this.#controlMessageQueue = [];
    this.#queuedBytes = 0;
    if (this.#queueSize > 0) {
      this.#queueSize = 0;
      this.#scheduleDequeueEvent();
    }
    const flushes = [...this.#pendingFlushPromises.values()];
    this.#pendingFlushPromises.clear();
    for (const flush of flushes) flush.reject(exception);
  }

  /** "Close VideoEncoder" and its three siblings. */
  #close(exception: DOMException): void {
    if (this.#state === 'closed') return;
    this.#reset(exception);
    this.#state = 'closed';
    this.#generation++;
    this.#worker?.close();
    this.#worker = null;
    if (exception.name !== 'AbortError') {
      try {
        this.#errorCallback(exception);
      } catch (error) {
        reportCallbackError(error);
      }
    }
  }

  /** Closes the codec with an error of the given name (EncodingError, DataError, ...). */
  protected closeWithError(name: CodecErrorName, message: string): void {
    this.#close(domException(name, message));
  }

  /** "Schedule Dequeue Event": at most one pending event, fired in its own task. */
  #scheduleDequeueEvent(): void {
    if (this.#dequeueEventScheduled) return;
    this.#dequeueEventScheduled = true;
    this.#dequeueTask = setImmediate(() => this.#fireDequeueEvent());
  }

  #dequeueTask: ReturnType<typeof setImmediate> | null = null;

  /** The task's steps: fire, then clear [[dequeue event scheduled]] (so a dequeue caused by the
   * listeners themselves does not schedule another event). */
  #fireDequeueEvent(): void {
    this.#dequeueTask = null;
    this.dispatchEvent(new Event('dequeue'));
    this.#dequeueEventScheduled = false;
  }

  /** A flush resolves in a task queued after the dequeue events of the inputs before it (their
   * control messages ran first), so a still-pending dequeue event fires before the promise
   * settles: with a fast codec the flush result can arrive before the setImmediate turn. */
  #fireDequeueEventNow(): void {
    if (this.#dequeueTask === null) return;
    clearImmediate(this.#dequeueTask);
    this.#fireDequeueEvent();
  }

  /** "Process the control message queue". */
  #processControlMessageQueue(): void {
    while (!this.#messageQueueBlocked && this.#controlMessageQueue.length > 0) {
      const message = this.#controlMessageQueue[0]!;
      if (message.kind === 'input' && !this.#runInput(message.input)) break; // "not processed"
      this.#controlMessageQueue.shift();
      if (message.kind === 'configure') this.#runConfigure(message);
      if (message.kind === 'flush') this.#worker!.flush(this.#generation, message.id);
    }
  }

  #runConfigure(message: Extract<ControlMessage, { kind: 'configure' }>): void {
    this.#messageQueueBlocked = true;
    if (message.config === null) {
      // Check Configuration Support already failed here, but the spec checks it on the codec work
      // queue, after the inputs queued before it: the worker reports NotSupportedError in order,
      // so their outputs still arrive first.
      this.#worker!.configure(this.#generation, { unsupportedReason: message.unsupported });
      return;
    }
    const config = message.config.threads === undefined ? { ...message.config, threads: codecThreadCount() } : message.config;
    this.#activateConfiguration = message.activate;
    this.#worker!.configure(this.#generation, config);
  }

  /** Running an encode/decode control message: false means "not processed" (saturated). */
  #runInput(input: QueuedInput): boolean {
    if (this.#codecSaturated) return false;
    if (!input.send(this.#worker!, this.#generation)) {
      this.#codecSaturated = true; // the worker sends 'room' when its inbox has space again
      return false;
    }
    input.release();
    this.#queueSize--;
    this.#queuedBytes -= input.bytes;
    this.#scheduleDequeueEvent();
    return true;
  }

  /** Events the worker delivered and this codec has not handled yet, in order. */
  #backlog: NativeEvent[] = [];
  #backlogScheduled = false;

  #handleEvents(events: NativeEvent[]): void {
    for (const event of events) this.#backlog.push(event);
    if (!this.#backlogScheduled) this.#drainBacklog();
  }

  /** Handles delivered events in order. A resolved flush ends the turn: the spec resolves it in a
   * task of its own, so `await flush()` resumes before the outputs of inputs queued after the
   * flush, even when the worker delivered them in the same batch. */
  #drainBacklog(): void {
    let next = 0;
    while (next < this.#backlog.length) {
      const flushResolved = this.#handleEvent(this.#backlog[next++]!);
      if (flushResolved && next < this.#backlog.length) {
        this.#backlog.splice(0, next);
        this.#backlogScheduled = true;
        setImmediate(() => {
          this.#backlogScheduled = false;
          this.#drainBacklog();
        });
        return;
      }
    }
    this.#backlog = [];
  }

  /** One event; returns whether it resolved a flush promise. */
  #handleEvent(event: NativeEvent): boolean {
    const current = event.generation === this.#generation && this.#state !== 'closed';
    switch (event.type) {
      case 'output':
        if (current) this.handleOutput(event.output);
        else this.discardOutput(event.output);
        return false;
      case 'configured':
        if (current) {
          this.#activateConfiguration();
          this.#messageQueueBlocked = false;
          this.#processControlMessageQueue();
        }
        return false;
      case 'flush': {
        const flush = this.#pendingFlushPromises.get(event.id);
        if (!current || flush === undefined) return false;
        this.#pendingFlushPromises.delete(event.id);
        this.#fireDequeueEventNow();
        flush.resolve();
        return true;
      }
      case 'error':
        if (current) this.closeWithError(event.name as CodecErrorName, event.message);
        return false;
      case 'room':
        if (this.#state !== 'closed') {
          this.#codecSaturated = false;
          this.#processControlMessageQueue();
        }
        return false;
      case 'closed':
        return false;
    }
  }

  /** Invokes a user callback; an exception is reported, never allowed to break the codec. */
  protected invokeCallback<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): void {
    try {
      callback(...args);
    } catch (error) {
      reportCallbackError(error);
    }
  }
}
