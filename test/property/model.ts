// An executable model of the WebCodecs codec processing model, for the fc.commands property tests
// (test-codec.test.ts, real-codecs.test.ts). It is a monitor more than a predictor: commands call
// the real codec, and every callback, exception, flush settlement, queue size and dequeue event is
// checked against what the spec allows at that moment:
//
// - [[state]] after each call, and the exception each call throws (TypeError, InvalidStateError,
//   DataError exactly where the spec's method steps say);
// - the outputs of each "generation" (the stretch between two resets) in input order, never one
//   from before a reset, none after close, and none past the error that closed the codec;
// - every flush promise settles: resolved only after the outputs of the inputs queued before it,
//   AbortError only after a reset()/close() of its generation, the error's exception otherwise;
// - the queue size never grows without an input, returns to 0, and every decrease is followed by a
//   `dequeue` event (coalesced as "Schedule Dequeue Event" says: one pending event at a time, and a
//   decrease while that event is being dispatched schedules no new one);
// - after close: no output or error callback, queue size 0, the worker thread gone and
//   getLiveCounters().videoFrames back to 0.
//
// What a codec emits is simulated in control-message order by a CoreSim: exactly for the test
// codec (native/test_codec_core.cc is deterministic), loosely for real codecs (one output per
// input, in order, at a time the codec chooses). Only the timing is left to the codec, so a
// check never depends on how fast anything ran.
//
// Run directly (tap runs it too), this file tests the model itself on hand-written traces.
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { getLiveCounters } from '../../src/index.js';

export type CodecState = 'unconfigured' | 'configured' | 'closed';

/** The CodecBase surface every codec class shares. */
export interface CodecLike extends EventTarget {
  readonly state: CodecState;
  flush(): Promise<void>;
  reset(): void;
  close(): void;
}

export interface ObservedOutput {
  timestamp: number;
  /** Encoders: metadata.decoderConfig, when the output carried one. */
  decoderConfig?: { codedWidth?: number; codedHeight?: number } | undefined;
  /** Closes what the output owns (decoded frames); a no-op for chunks. */
  release(): void;
}

export interface Callbacks {
  output(output: ObservedOutput): void;
  error(error: DOMException): void;
}

/** How a configure() call is expected to go, decided from the config alone. */
export type ConfigClass = 'ok' | 'type-error' | 'unsupported';

/** One input a command asks for. `variant` is driver-specific (e.g. a closed frame, a jump to a
 * key chunk); `seed` picks sizes and chunks deterministically. */
export interface InputSpec {
  variant: string;
  seed: number;
}

/** What the driver made of an InputSpec before calling encode()/decode(). */
export interface PreparedInput {
  /** The spec's exception that comes before the state check (a detached frame: TypeError). */
  earlyError: string | null;
  /** Decoders: whether the chunk is a key chunk (the [[key chunk required]] check). */
  key: boolean;
  /** A driver-specific exception after the state check (encoders: an orientation that differs
   * from [[active orientation]] is a DataError). */
  lateError?: () => string | null;
  /** Calls encode()/decode() (may throw), and releases what the caller owns afterwards. */
  submit(codec: CodecLike, timestamp: number): void;
  /** Called once the input is accepted (decoders advance their position in the clip). */
  accepted(): void;
}

export interface Predicted {
  kind: 'output' | 'flush' | 'error' | 'configured';
  timestamp?: number;
  epoch?: number;
  flushId?: number;
  name?: string;
  /** For errors: false when outputs before the error may be missing (real codecs). */
  exact?: boolean;
}

/** A simulation of what the codec implementation emits for each control message it runs, in
 * order. One per generation (a reset gives the codec a fresh implementation). */
export interface CoreSim<C> {
  configure(config: C, epoch: number): Predicted[];
  input(timestamp: number, epoch: number): Predicted[];
  flush(id: number): Predicted[];
}

export interface Driver<C> {
  readonly label: string;
  /** Whether decode() requires key chunks ([[key chunk required]]): decoders. */
  readonly keyChunks: boolean;
  /** Whether outputs carry EncodedVideoChunkMetadata.decoderConfig to check. */
  readonly decoderConfigs: boolean;
  /** Bytes a queued input counts for resource reclamation (0: not exercised). */
  readonly inputBytes: number;
  create(callbacks: Callbacks, maxQueuedBytes: number | undefined): CodecLike;
  queueSize(codec: CodecLike): number;
  classify(config: C): ConfigClass;
  configure(codec: CodecLike, config: C): void;
  /** Coded size a config gives its outputs (encoders' decoderConfig check). */
  dims(config: C): { width: number; height: number } | null;
  prepare(input: InputSpec): PreparedInput;
  newSim(): CoreSim<C>;
  describe(config: C): string;
  isConfigSupported?(config: C): Promise<{ supported: boolean }>;
}

/** Deviations from the spec that are reported, pinned by a failing test in regressions.test.ts,
 * and accepted here so that the property tests keep looking for other bugs. Each entry names the
 * regression test. RELIABILITY_STRICT=1 accepts none. Remove an entry when its fix lands. */
export const KNOWN_DEVIATIONS: ReadonlySet<string> = new Set(
  process.env.RELIABILITY_STRICT === '1'
    ? []
    : [
        // None open. (Fixed: 'flush-settles-after-later-outputs', regressions.test.ts "a flush
        // promise settles before the outputs of inputs queued after it".)
      ],
);

export type Action<C> =
  | { kind: 'configure'; config: C }
  | { kind: 'submit'; count: number; input: InputSpec }
  | { kind: 'flush' }
  | { kind: 'reset' }
  | { kind: 'close' };

export type Hook = 'output' | 'dequeue' | 'error' | 'flush';

interface Gen {
  id: number;
  outputs: { timestamp: number; epoch: number }[];
  /** Predicted outputs before each flush's completion. */
  flushAt: Map<number, number>;
  error: { name: string; at: number; exact: boolean } | null;
  observed: number;
  ended: 'reset' | 'close' | { error: string } | null;
  epochDims: ({ width: number; height: number } | null)[];
  lastConfigDims: { width: number; height: number } | null;
  sim: CoreSim<unknown>;
}

interface FlushRecord {
  id: number;
  gen: Gen;
  settled: boolean;
}

interface Observation {
  seq: number;
  size: number;
  decreased: boolean;
  dispatch: number | null;
}

export function describeAction<C>(action: Action<C>, driver: Driver<C>): string {
  switch (action.kind) {
    case 'configure':
      return `configure(${driver.describe(action.config)})`;
    case 'submit':
      return `submit(${action.count} x ${action.input.variant}#${action.input.seed})`;
    default:
      return `${action.kind}()`;
  }
}

const errorName = (error: unknown): string =>
  error instanceof Error || error instanceof DOMException ? error.name : `non-error ${String(error)}`;

/** Waits for the event loop to run `turns` times (timers and setImmediate included). */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls `predicate` once per event-loop turn (1 ms timer) up to `limit` turns: a liveness bound,
 * not a timing assertion. */
export async function eventually(predicate: () => boolean, limit = 20_000): Promise<boolean> {
  for (let i = 0; i < limit && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  return predicate();
}

export class World<C> {
  readonly driver: Driver<C>;
  readonly codec: CodecLike;
  readonly violations: string[] = [];
  readonly trace: string[] = [];
  readonly maxQueuedBytes: number | undefined;

  // The model.
  state: CodecState = 'unconfigured';
  #gen: Gen;
  #epoch = 0;
  #keyChunkRequired = true;
  #flushes: FlushRecord[] = [];
  #pendingPromises: Promise<unknown>[] = [];
  #nextFlushId = 1;
  #nextTimestamp = 1;
  #hooks = new Map<Hook, Action<C>>();
  #retained: ObservedOutput[] = [];

  // Queue size and dequeue bookkeeping.
  #seq = 0;
  #increments = 0;
  #lastSize = 0;
  #observations: Observation[] = [{ seq: 0, size: 0, decreased: false, dispatch: null }];
  #dispatches: { start: number; end: number }[] = [];
  #dispatching: number | null = null;
  #quotaExpected = false;
  #depth = 0;

  constructor(driver: Driver<C>, options: { maxQueuedBytes?: number } = {}) {
    this.driver = driver;
    this.maxQueuedBytes = options.maxQueuedBytes;
    this.#gen = this.#newGen(1);
    this.codec = driver.create(
      { output: (o) => this.#onOutput(o), error: (e) => this.#onError(e) },
      options.maxQueuedBytes,
    );
    this.codec.addEventListener('dequeue', () => this.#onDequeue());
  }

  #newGen(id: number): Gen {
    return {
      id,
      outputs: [],
      flushAt: new Map(),
      error: null,
      observed: 0,
      ended: null,
      epochDims: [],
      lastConfigDims: null,
      sim: this.driver.newSim() as CoreSim<unknown>,
    };
  }

  violation(message: string): void {
    this.violations.push(message);
    this.trace.push(`!! ${message}`);
  }

  #log(line: string): void {
    this.trace.push(`${'  '.repeat(this.#depth)}${line}`);
  }

  // --- observation -----------------------------------------------------------------------

  /** Reads the queue size and state; infers queue decreases (increments are only ours). */
  #observe(where: string): void {
    const size = this.driver.queueSize(this.codec);
    const ceiling = this.#lastSize + this.#increments;
    if (size > ceiling) this.violation(`${where}: queue size ${size} grew past ${ceiling} without an input`);
    if (size < 0) this.violation(`${where}: negative queue size ${size}`);
    const seq = ++this.#seq;
    this.#observations.push({ seq, size, decreased: size < ceiling, dispatch: this.#dispatching });
    this.#lastSize = size;
    this.#increments = 0;
    if (this.codec.state !== this.state) {
      this.violation(`${where}: state is "${this.codec.state}", the spec says "${this.state}"`);
    }
  }

  // --- actions (top level or from inside a callback) ---------------------------------------

  /** Runs one action against the real codec and the model. Never throws. */
  perform(action: Action<C>, where = 'top'): void {
    stats.calls += action.kind === 'submit' ? action.count : 1;
    this.#log(`${where}: ${describeAction(action, this.driver)}`);
    this.#depth++;
    this.#observe(`before ${action.kind}`);
    try {
      switch (action.kind) {
        case 'configure':
          this.#configure(action.config);
          break;
        case 'submit':
          for (let i = 0; i < action.count; i++) this.#submit(action.input, i);
          break;
        case 'flush':
          this.#flush();
          break;
        case 'reset':
          this.#reset();
          break;
        case 'close':
          this.#close();
          break;
      }
    } finally {
      this.#observe(`after ${action.kind}`);
      this.#depth--;
    }
  }

  /** Calls `fn`, checking that it throws exactly `expected` (an error name) or nothing. */
  #expect(what: string, expected: string | null, fn: () => void): boolean {
    let thrown: unknown = null;
    let threw = false;
    try {
      fn();
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const got = threw ? errorName(thrown) : null;
    if (threw) this.#log(`-> ${what} threw ${got}`);
    if (got !== expected) {
      this.violation(`${what}: expected ${expected ?? 'no exception'}, got ${got ?? 'no exception'}${threw ? ` (${String((thrown as Error)?.message)})` : ''}`);
    }
    return !threw;
  }

  #configure(config: C): void {
    const kind = this.driver.classify(config);
    const expected = kind === 'type-error' ? 'TypeError' : this.state === 'closed' ? 'InvalidStateError' : null;
    const ok = this.#expect('configure()', expected, () => this.driver.configure(this.codec, config));
    if (!ok || expected !== null) return;
    this.state = 'configured';
    this.#keyChunkRequired = true;
    const epoch = ++this.#epoch;
    const gen = this.#gen;
    gen.epochDims[epoch] = this.driver.dims(config);
    if (kind === 'unsupported') {
      // Check Configuration Support fails: closed with NotSupportedError in a task of its own.
      this.#predict(gen, [{ kind: 'error', name: 'NotSupportedError', exact: false }]);
    } else {
      this.#predict(gen, gen.sim.configure(config, epoch));
    }
  }

  #submit(spec: InputSpec, index: number): void {
    const input = this.driver.prepare({ variant: spec.variant, seed: spec.seed + index });
    const timestamp = this.#nextTimestamp++;
    const expected =
      input.earlyError ??
      (this.state !== 'configured'
        ? 'InvalidStateError'
        : this.driver.keyChunks && this.#keyChunkRequired && !input.key
          ? 'DataError'
          : (input.lateError?.() ?? null));
    const sizeBefore = this.driver.queueSize(this.codec);
    this.#quotaExpected =
      expected === null && this.maxQueuedBytes !== undefined && (sizeBefore + 1) * this.driver.inputBytes > this.maxQueuedBytes;
    const ok = this.#expect(`submit(${spec.variant})`, expected, () => input.submit(this.codec, timestamp));
    const quota = this.#quotaExpected;
    this.#quotaExpected = false;
    if (!ok || expected !== null) {
      // The input never reached the codec: reuse its number, so accepted inputs are numbered
      // without gaps (audio drivers map numbers to a contiguous 20 ms timeline).
      if (!ok) this.#nextTimestamp--;
      return;
    }
    input.accepted();
    this.#increments++;
    if (this.driver.keyChunks) this.#keyChunkRequired = false;
    if (quota) {
      // Resource reclamation closed the codec inside encode(); #onError checked and applied it.
      if (this.state !== 'closed') this.violation(`queued bytes passed ${this.maxQueuedBytes} but the codec was not closed with QuotaExceededError`);
      return;
    }
    this.#predict(this.#gen, this.#gen.sim.input(timestamp, this.#epoch));
  }

  #flush(): void {
    let promise: Promise<void> | null = null;
    this.#expect('flush()', null, () => {
      promise = this.codec.flush();
    });
    if (promise === null) return;
    const settled = promise as Promise<void>;
    if (this.state !== 'configured') {
      this.#pendingPromises.push(
        settled.then(
          () => this.violation('flush() on a codec that is not configured resolved; the spec rejects it with InvalidStateError'),
          (error) => {
            if (errorName(error) !== 'InvalidStateError') this.violation(`flush() when ${this.state}: rejected with ${errorName(error)}, expected InvalidStateError`);
          },
        ),
      );
      return;
    }
    if (this.driver.keyChunks) this.#keyChunkRequired = true;
    const record: FlushRecord = { id: this.#nextFlushId++, gen: this.#gen, settled: false };
    this.#flushes.push(record);
    this.#predict(this.#gen, this.#gen.sim.flush(record.id));
    this.#pendingPromises.push(
      settled.then(
        () => this.#onFlushSettled(record, null),
        (error) => this.#onFlushSettled(record, error),
      ),
    );
  }

  #reset(): void {
    const closed = this.state === 'closed';
    const ok = this.#expect('reset()', closed ? 'InvalidStateError' : null, () => this.codec.reset());
    if (!ok || closed) return;
    this.#endGeneration('reset');
    this.state = 'unconfigured';
  }

  #close(): void {
    if (this.state === 'closed') {
      this.#expect('close() on a closed codec', 'InvalidStateError', () => this.codec.close());
      return;
    }
    this.#expect('close()', null, () => this.codec.close());
    this.#endGeneration('close');
    this.state = 'closed';
  }

  #endGeneration(reason: 'reset' | 'close' | { error: string }): void {
    this.#gen.ended = reason;
    this.#gen = this.#newGen(this.#gen.id + 1);
    this.#epoch = 0;
  }

  #predict(gen: Gen, events: Predicted[]): void {
    for (const event of events) {
      if (gen.error !== null) return; // nothing the codec emits after an error is delivered
      switch (event.kind) {
        case 'output':
          gen.outputs.push({ timestamp: event.timestamp!, epoch: event.epoch! });
          break;
        case 'flush':
          gen.flushAt.set(event.flushId!, gen.outputs.length);
          break;
        case 'error':
          gen.error = { name: event.name!, at: gen.outputs.length, exact: event.exact ?? true };
          break;
        case 'configured':
          break;
      }
    }
  }

  // --- callbacks ------------------------------------------------------------------------

  #onOutput(output: ObservedOutput): void {
    const gen = this.#gen;
    stats.callbacks++;
    this.#log(`output ts=${output.timestamp}${output.decoderConfig ? ' +decoderConfig' : ''}`);
    if (this.state !== 'configured') {
      this.violation(`output ts=${output.timestamp} delivered while the codec is ${this.state}`);
    } else {
      const index = gen.observed;
      const limit = gen.error !== null ? gen.error.at : gen.outputs.length;
      const expected = gen.outputs[index];
      if (index >= limit || expected === undefined) {
        this.violation(`output ts=${output.timestamp}: no further output is due in this generation (${index} delivered, ${limit} due)`);
      } else if (expected.timestamp !== output.timestamp) {
        const old = expected.timestamp > output.timestamp ? ' (an input from before a reset?)' : '';
        this.violation(`output #${index} of generation ${gen.id} has ts=${output.timestamp}, expected ts=${expected.timestamp}${old}`);
      } else {
        this.#checkDecoderConfig(gen, expected.epoch, output, index);
      }
      gen.observed++;
    }
    // Keep a few decoded frames open for a while (closed at the end) to exercise the counters.
    if (output.timestamp % 3 === 0) this.#retained.push(output);
    else output.release();
    this.#observe('output callback');
    this.#runHook('output');
  }

  #checkDecoderConfig(gen: Gen, epoch: number, output: ObservedOutput, index: number): void {
    if (!this.driver.decoderConfigs) return;
    const dims = gen.epochDims[epoch] ?? null;
    const config = output.decoderConfig;

    const changed = dims !== null && (gen.lastConfigDims === null || gen.lastConfigDims.width !== dims.width || gen.lastConfigDims.height !== dims.height);
    if ((index === 0 || changed) && config === undefined) {
      this.violation(`output ts=${output.timestamp}: the first output ${index === 0 ? 'after configure' : 'of a new coded size'} must carry metadata.decoderConfig`);
    }
    if (config !== undefined && dims !== null) {
      if (config.codedWidth !== dims.width || config.codedHeight !== dims.height) {
        this.violation(`output ts=${output.timestamp}: decoderConfig is ${config.codedWidth}x${config.codedHeight}, the config in effect is ${dims.width}x${dims.height}`);
      }
      gen.lastConfigDims = dims;
    }
  }

  #onError(error: DOMException): void {
    const gen = this.#gen;
    stats.callbacks++;
    this.#log(`error ${error.name}`);
    if (this.state !== 'configured') {
      this.violation(`error callback (${error.name}) while the codec is ${this.state}`);
    } else if (error.name === 'QuotaExceededError') {
      if (!this.#quotaExpected) this.violation('QuotaExceededError although the queued bytes stayed within maxQueuedBytes');
    } else if (gen.error === null) {
      this.violation(`unexpected ${error.name}: ${error.message}`);
    } else if (gen.error.name !== error.name) {
      this.violation(`error ${error.name}, expected ${gen.error.name}`);
    } else if (gen.error.exact ? gen.observed !== gen.error.at : gen.observed > gen.error.at) {
      this.violation(`error ${error.name} after ${gen.observed} outputs of generation ${gen.id}; ${gen.error.at} were due before it`);
    }
    if (this.state === 'configured') {
      this.#endGeneration({ error: error.name });
      this.state = 'closed';
    }
    this.#observe('error callback');
    this.#runHook('error');
  }

  #onFlushSettled(record: FlushRecord, error: unknown): void {
    record.settled = true;
    stats.callbacks++;
    const gen = record.gen;
    const outcome = error === null ? 'resolved' : `rejected with ${errorName(error)}`;
    this.#log(`flush #${record.id} ${outcome}`);
    if (error === null) {
      const due = gen.flushAt.get(record.id);
      if (due === undefined) {
        this.violation(`flush #${record.id} resolved, but its generation ${gen.error ? `failed with ${gen.error.name} first` : 'never ran it'}`);
      } else if (gen.observed < due) {
        this.violation(`flush #${record.id} resolved after ${gen.observed} outputs; the ${due} inputs queued before it must all be output first`);
      } else if (gen.observed > due && !KNOWN_DEVIATIONS.has('flush-settles-after-later-outputs')) {
        // The flush's completion is a task of its own: its reactions run before the outputs of
        // inputs queued after the flush, which come in later tasks.
        this.violation(`flush #${record.id}'s reaction ran after ${gen.observed} outputs; only the ${due} before it may precede it`);
      }
    } else {
      const name = errorName(error);
      const ended = gen.ended;
      const byUser = ended === 'reset' || ended === 'close';
      const byError = ended !== null && typeof ended === 'object' ? ended.error : null;
      if (name === 'AbortError' ? !byUser : name !== byError) {
        this.violation(`flush #${record.id} ${outcome}, but its generation ended by ${ended === null ? 'nothing yet' : typeof ended === 'object' ? ended.error : `${ended}()`}`);
      }
    }
    this.#observe('flush settled');
    this.#runHook('flush');
  }

  #onDequeue(): void {
    const dispatch = this.#dispatches.length;
    this.#dispatching = dispatch;
    this.#observe('dequeue start');
    this.#dispatches.push({ start: this.#seq, end: this.#seq });
    stats.callbacks++;
    this.#log('dequeue');
    this.#runHook('dequeue');
    this.#observe('dequeue end');
    this.#dispatches[dispatch]!.end = this.#seq;
    this.#dispatching = null;
  }

  arm(hook: Hook, action: Action<C>): void {
    this.#hooks.set(hook, action);
  }

  #runHook(hook: Hook): void {
    const action = this.#hooks.get(hook);
    if (action === undefined) return;
    this.#hooks.delete(hook);
    this.perform(action, `in ${hook} callback`);
  }

  // --- awaiting ------------------------------------------------------------------------

  /** Awaits the oldest unsettled flush (bounded: a flush that never settles is a hang). */
  async awaitFlush(): Promise<void> {
    const pending = this.#flushes.find((f) => !f.settled);
    if (pending === undefined) return;
    const settled = await eventually(() => pending.settled, 5000);
    if (!settled) this.violation(`flush #${pending.id} did not settle within 5000 event-loop turns (hang)`);
  }

  async isConfigSupported(config: C): Promise<void> {
    if (this.driver.isConfigSupported === undefined) return;
    const kind = this.driver.classify(config);
    const stateBefore = this.state;
    this.#log(`isConfigSupported(${this.driver.describe(config)})`);
    let result: { supported: boolean } | null = null;
    let failure: unknown = null;
    try {
      result = await this.driver.isConfigSupported(config);
    } catch (error) {
      failure = error;
    }
    if (kind === 'type-error') {
      if (failure === null || errorName(failure) !== 'TypeError') this.violation(`isConfigSupported(invalid config) must reject with TypeError, got ${failure === null ? JSON.stringify(result) : errorName(failure)}`);
    } else if (failure !== null) {
      this.violation(`isConfigSupported rejected with ${errorName(failure)}`);
    } else if (result!.supported !== (kind === 'ok')) {
      this.violation(`isConfigSupported(${this.driver.describe(config)}) answered supported=${result!.supported}`);
    }
    if (this.state !== stateBefore) return; // an error callback ran meanwhile; the model followed it
    this.#observe('after isConfigSupported');
  }

  // --- the end of a run ------------------------------------------------------------------

  /** Closes the codec, waits for everything to settle, and runs the end-of-run checks. */
  async finish(): Promise<void> {
    if (this.state === 'configured' && this.#gen.error === null) {
      this.perform({ kind: 'flush' }, 'finish');
      await this.awaitFlush();
    }
    this.#hooks.clear();
    if (this.state !== 'closed') this.perform({ kind: 'close' }, 'finish');
    // Bounded: a promise that never settles must fail the run, not hang it.
    let pending = this.#pendingPromises.length;
    for (const promise of this.#pendingPromises) void promise.finally(() => pending--);
    await eventually(() => pending === 0, 5000);
    const unsettled = this.#flushes.filter((f) => !f.settled);
    if (unsettled.length > 0) this.violation(`flushes ${unsettled.map((f) => `#${f.id}`).join(', ')} never settled`);
    // The worker thread exits once it has run Close; then no native event can arrive.
    if (!(await eventually(() => getLiveCounters().codecs === 0))) {
      this.violation(`codec threads still running after close (codecs=${getLiveCounters().codecs})`);
    }
    await turns(3); // a dequeue event scheduled by close() fires in a task of its own
    this.#observe('end');
    if (this.#lastSize !== 0) this.violation(`queue size ${this.#lastSize} after close`);
    this.#checkDequeueEvents();
    for (const output of this.#retained) output.release();
    this.#retained = [];
    const { videoFrames, audioData } = getLiveCounters();
    if (videoFrames !== 0) this.violation(`${videoFrames} VideoFrame(s) alive after every output was closed`);
    if (audioData !== 0) this.violation(`${audioData} AudioData alive after every output was closed`);
  }

  /** Cleanup after a run that may have failed half-way: close, release, wait for the thread. */
  async abandon(): Promise<void> {
    this.#hooks.clear();
    if (this.codec.state !== 'closed') {
      try {
        this.codec.close();
      } catch {
        // reported by the run
      }
    }
    for (const output of this.#retained) output.release();
    this.#retained = [];
    await eventually(() => getLiveCounters().codecs === 0);
    const live = () => getLiveCounters().videoFrames + getLiveCounters().audioData;
    if (live() !== 0) {
      this.violation(`${live()} VideoFrame(s)/AudioData alive after the run was abandoned`);
      for (let i = 0; i < 100 && live() !== 0; i++) {
        // Do not let this run's leak fail the next (shrinking) run as well: collect what is
        // unreachable so the counter describes only later runs.
        (globalThis as { gc?: () => void }).gc?.();
        await turns(1);
      }
    }
  }

  #checkDequeueEvents(): void {
    const obs = this.#observations;
    const inside = (i: number) => obs[i - 1]!.dispatch !== null && obs[i - 1]!.dispatch === obs[i]!.dispatch;
    for (let i = 1; i < obs.length; i++) {
      if (!obs[i]!.decreased || inside(i)) continue;
      const after = obs[i - 1]!.seq;
      if (!this.#dispatches.some((d) => d.start > after)) {
        this.violation(`the queue size decreased (observation ${obs[i]!.seq}) and no dequeue event followed`);
        break;
      }
    }
    for (let k = 0; k < this.#dispatches.length; k++) {
      const from = k === 0 ? 0 : this.#dispatches[k - 1]!.end;
      const to = this.#dispatches[k]!.start;
      const justified = obs.some((o, i) => i > 0 && o.decreased && o.seq > from && o.seq <= to && !inside(i));
      if (!justified) {
        this.violation(`dequeue event #${k + 1} fired without a queue decrease since the previous one (not coalesced)`);
        break;
      }
    }
  }

  throwIfViolated(): void {
    if (this.violations.length === 0) return;
    throw new Error(`${this.violations.join('\n')}\n--- trace (${this.driver.label}) ---\n${this.trace.join('\n')}`);
  }
}

// --- fc.commands --------------------------------------------------------------------------

type Cmd<C> = fc.AsyncCommand<World<C>, World<C>>;

class PerformCommand<C> implements Cmd<C> {
  constructor(
    readonly action: Action<C>,
    readonly driver: Driver<C>,
  ) {}
  check(): true {
    return true;
  }
  async run(_m: World<C>, world: World<C>): Promise<void> {
    world.perform(this.action);
    world.throwIfViolated();
  }
  toString(): string {
    return describeAction(this.action, this.driver);
  }
}

class ArmCommand<C> implements Cmd<C> {
  constructor(
    readonly hook: Hook,
    readonly action: Action<C>,
    readonly driver: Driver<C>,
  ) {}
  check(): true {
    return true;
  }
  async run(_m: World<C>, world: World<C>): Promise<void> {
    world.arm(this.hook, this.action);
  }
  toString(): string {
    return `on next ${this.hook}: ${describeAction(this.action, this.driver)}`;
  }
}

class WaitCommand<C> implements Cmd<C> {
  constructor(readonly wait: { kind: 'turns'; count: number } | { kind: 'ms'; ms: number } | { kind: 'flush' }) {}
  check(): true {
    return true;
  }
  async run(_m: World<C>, world: World<C>): Promise<void> {
    if (this.wait.kind === 'turns') await turns(this.wait.count);
    else if (this.wait.kind === 'ms') await new Promise((resolve) => setTimeout(resolve, (this.wait as { ms: number }).ms));
    else await world.awaitFlush();
    world.throwIfViolated();
  }
  toString(): string {
    return this.wait.kind === 'turns' ? `await ${this.wait.count} turn(s)` : this.wait.kind === 'ms' ? `await ${this.wait.ms} ms` : 'await flush';
  }
}

class SupportCommand<C> implements Cmd<C> {
  constructor(
    readonly config: C,
    readonly driver: Driver<C>,
  ) {}
  check(): true {
    return true;
  }
  async run(_m: World<C>, world: World<C>): Promise<void> {
    await world.isConfigSupported(this.config);
    world.throwIfViolated();
  }
  toString(): string {
    return `await isConfigSupported(${this.driver.describe(this.config)})`;
  }
}

export interface CommandOptions<C> {
  config: fc.Arbitrary<C>;
  /** Input variants and their weights, e.g. [['frame', 10], ['closed-frame', 1]]. */
  inputs: [string, number][];
  maxBurst: number;
  maxCommands: number;
}

export function actionArbitrary<C>(options: CommandOptions<C>): fc.Arbitrary<Action<C>> {
  const input = fc.record({
    variant: fc.oneof(...options.inputs.map(([variant, weight]) => ({ arbitrary: fc.constant(variant), weight }))),
    seed: fc.nat(1000),
  });
  return fc.oneof(
    { arbitrary: options.config.map((config): Action<C> => ({ kind: 'configure', config })), weight: 3 },
    { arbitrary: fc.record({ count: fc.integer({ min: 1, max: options.maxBurst }), input }).map((s): Action<C> => ({ kind: 'submit', ...s })), weight: 8 },
    { arbitrary: fc.constant<Action<C>>({ kind: 'flush' }), weight: 3 },
    { arbitrary: fc.constant<Action<C>>({ kind: 'reset' }), weight: 2 },
    { arbitrary: fc.constant<Action<C>>({ kind: 'close' }), weight: 1 },
  );
}

export function commandsArbitrary<C>(driver: Driver<C>, options: CommandOptions<C>): fc.Arbitrary<Iterable<Cmd<C>>> {
  const action = actionArbitrary(options);
  const hooks: Hook[] = ['output', 'dequeue', 'error', 'flush'];
  const list: { arbitrary: fc.Arbitrary<Cmd<C>>; weight: number }[] = [
    { arbitrary: action.map((a) => new PerformCommand(a, driver)), weight: 12 },
    { arbitrary: fc.tuple(fc.constantFrom(...hooks), action).map(([h, a]) => new ArmCommand(h, a, driver)), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 4 }).map((count) => new WaitCommand<C>({ kind: 'turns', count })), weight: 3 },
    { arbitrary: fc.constantFrom(0, 1, 3).map((ms) => new WaitCommand<C>({ kind: 'ms', ms })), weight: 2 },
    { arbitrary: fc.constant(new WaitCommand<C>({ kind: 'flush' })), weight: 2 },
  ];
  if (driver.isConfigSupported !== undefined) {
    list.push({ arbitrary: options.config.map((c) => new SupportCommand(c, driver)), weight: 1 });
  }
  // size 'max': sequence lengths spread up to maxCommands (the default favours very short ones).
  return fc.commands([fc.oneof(...list)], { maxCommands: options.maxCommands, size: 'max' });
}

/** Counts for the test log and docs/reliability.md: sequences run, API calls made (top level and
 * from callbacks) and callbacks/settlements checked. */
export const stats = { runs: 0, calls: 0, callbacks: 0 };

/** RELIABILITY_SCALE multiplies run counts (default 1: the CI budget). */
export const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);

/** fast-check parameters: RELIABILITY_SEED / RELIABILITY_PATH replay a reported failure. */
export function runParameters<T>(numRuns: number): fc.Parameters<T> {
  const parameters: fc.Parameters<T> = { numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: process.env.RELIABILITY_SHRINK === '0' };
  if (process.env.RELIABILITY_SEED !== undefined) parameters.seed = Number(process.env.RELIABILITY_SEED);
  if (process.env.RELIABILITY_PATH !== undefined) parameters.path = process.env.RELIABILITY_PATH;
  return parameters;
}

/** One property: a fresh World per command sequence, the sequence, then the end-of-run checks. */
export function modelProperty<C>(
  driver: () => Driver<C>,
  options: CommandOptions<C> & { maxQueuedBytes?: fc.Arbitrary<number | undefined>; initialConfig?: fc.Arbitrary<C> },
) {
  return fc.asyncProperty(
    // Most sequences start from a configured codec: one that is closed or never configured
    // early only ever answers InvalidStateError (those sequences are generated too).
    fc.option(options.initialConfig ?? options.config, { freq: 5 }),
    commandsArbitrary(driver(), options),
    options.maxQueuedBytes ?? fc.constant(undefined),
    async (initial, commands, maxQueuedBytes) => {
      const world = new World(driver(), maxQueuedBytes === undefined ? {} : { maxQueuedBytes });
      stats.runs++;
      try {
        if (initial !== null) {
          world.perform({ kind: 'configure', config: initial });
          world.throwIfViolated();
        }
        await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
        await world.finish();
      } finally {
        // A failed run must not leave frames or threads behind for the next one (the counters
        // are process-wide, and shrinking replays many runs).
        await world.abandon();
      }

      if (process.env.RELIABILITY_TRACE === '1') console.error(`--- run ${stats.runs}\n${world.trace.join('\n')}`);
      world.throwIfViolated();
      return true;
    },
  );
}

// --- self-test: the model judges hand-written traces correctly --------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { default: t } = await import('tap');

  /** A fake codec with the spec's synchronous behaviour whose outputs the test injects. */
  class FakeCodec extends EventTarget implements CodecLike {
    state: CodecState = 'unconfigured';
    size = 0;
    callbacks: Callbacks;
    flushes: { resolve: () => void; reject: (e: unknown) => void }[] = [];
    constructor(callbacks: Callbacks) {
      super();
      this.callbacks = callbacks;
    }
    flush(): Promise<void> {
      if (this.state !== 'configured') return Promise.reject(new DOMException('x', 'InvalidStateError'));
      return new Promise((resolve, reject) => this.flushes.push({ resolve, reject }));
    }
    reset(): void {
      if (this.state === 'closed') throw new DOMException('x', 'InvalidStateError');
      this.state = 'unconfigured';
      for (const f of this.flushes.splice(0)) f.reject(new DOMException('x', 'AbortError'));
    }
    close(): void {
      if (this.state === 'closed') throw new DOMException('x', 'InvalidStateError');
      this.reset();
      this.state = 'closed';
    }
  }

  const fakeDriver = (): Driver<{ delay: number }> & { fake: () => FakeCodec } => {
    let codec: FakeCodec | null = null;
    return {
      label: 'fake',
      keyChunks: false,
      decoderConfigs: false,
      inputBytes: 0,
      create(callbacks) {
        codec = new FakeCodec(callbacks);
        return codec;
      },
      fake: () => codec!,
      queueSize: (c) => (c as FakeCodec).size,
      classify: () => 'ok',
      configure(c) {
        if (c.state === 'closed') throw new DOMException('x', 'InvalidStateError');
        (c as FakeCodec).state = 'configured';
      },
      dims: () => null,
      prepare: () => ({
        earlyError: null,
        key: true,
        submit(c) {
          if (c.state !== 'configured') throw new DOMException('x', 'InvalidStateError');
        },
        accepted() {},
      }),
      newSim: () => ({
        configure: () => [{ kind: 'configured' }],
        input: (timestamp, epoch) => [{ kind: 'output', timestamp, epoch }],
        flush: (flushId) => [{ kind: 'flush', flushId }],
      }),
      describe: (c) => JSON.stringify(c),
    };
  };

  t.test('a faithful trace passes', async (t) => {
    const driver = fakeDriver();
    const world = new World(driver);
    world.perform({ kind: 'configure', config: { delay: 0 } });
    world.perform({ kind: 'submit', count: 2, input: { variant: 'frame', seed: 0 } });
    driver.fake().callbacks.output({ timestamp: 1, release() {} });
    driver.fake().callbacks.output({ timestamp: 2, release() {} });
    world.perform({ kind: 'close' });
    t.same(world.violations, []);
  });

  t.test('an output from before a reset is caught', async (t) => {
    const driver = fakeDriver();
    const world = new World(driver);
    world.perform({ kind: 'configure', config: { delay: 0 } });
    world.perform({ kind: 'submit', count: 1, input: { variant: 'frame', seed: 0 } });
    world.perform({ kind: 'reset' });
    world.perform({ kind: 'configure', config: { delay: 0 } });
    driver.fake().callbacks.output({ timestamp: 1, release() {} });
    t.match(world.violations.join('\n'), /no further output is due/);
  });

  t.test('outputs out of order, a flush that resolves early, and a missing exception are caught', async (t) => {
    const driver = fakeDriver();
    const world = new World(driver);
    world.perform({ kind: 'configure', config: { delay: 0 } });
    world.perform({ kind: 'submit', count: 2, input: { variant: 'frame', seed: 0 } });
    world.perform({ kind: 'flush' });
    driver.fake().flushes[0]!.resolve();
    await turns(1);
    driver.fake().callbacks.output({ timestamp: 2, release() {} });
    world.perform({ kind: 'close' });
    driver.fake().state = 'unconfigured'; // pretend close() did not close
    world.perform({ kind: 'reset' });
    const all = world.violations.join('\n');
    t.match(all, /flush #1 resolved after 0 outputs/);
    t.match(all, /output #0 of generation 1 has ts=2, expected ts=1/);
    t.match(all, /reset\(\): expected InvalidStateError, got no exception/);
  });

  t.test('a queue decrease without a dequeue event, and a spurious dequeue event, are caught', async (t) => {
    const driver = fakeDriver();
    const world = new World(driver);
    world.perform({ kind: 'configure', config: { delay: 0 } });
    driver.fake().size = 0;
    world.perform({ kind: 'submit', count: 1, input: { variant: 'frame', seed: 0 } }); // +1 then -1: decreased
    driver.fake().callbacks.output({ timestamp: 1, release() {} });
    driver.fake().dispatchEvent(new Event('dequeue'));
    driver.fake().dispatchEvent(new Event('dequeue')); // nothing decreased in between
    world.perform({ kind: 'submit', count: 1, input: { variant: 'frame', seed: 0 } }); // decreased, never followed
    driver.fake().callbacks.output({ timestamp: 2, release() {} });
    world.perform({ kind: 'close' });
    await world.finish();
    const all = world.violations.join('\n');
    t.match(all, /no dequeue event followed/);
    t.match(all, /fired without a queue decrease/);
  });
}
