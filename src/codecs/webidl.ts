// The few WebIDL conversions the spec's dictionaries need, with messages that name the member.

export type BufferSource = ArrayBufferLike | ArrayBufferView;
/** WebIDL AllowSharedBufferSource: what lib.dom accepts for WebCodecs data members. */
export type AllowSharedBufferSource = ArrayBufferLike | ArrayBufferView;

/** [EnforceRange] long long / unsigned long long: finite, truncated toward zero, within range. */
export function enforceRange(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER): number {
  const n = Number(value);
  if (typeof value === 'bigint' || !Number.isFinite(n)) {
    throw new TypeError(`${name} must be a finite number (got ${String(value)})`);
  }
  const truncated = Math.trunc(n);
  if (truncated < min || truncated > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`${name} is out of range (got ${String(value)})`);
  }
  return truncated === 0 ? 0 : truncated;
}

/** [EnforceRange] unsigned long. */
export function enforceUnsignedLong(value: unknown, name: string): number {
  const n = enforceRange(value, name, 0);
  if (n > 0xffffffff) throw new TypeError(`${name} is out of range (got ${String(value)})`);
  return n;
}

export function isBufferSource(value: unknown): value is BufferSource {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value) || isSharedArrayBuffer(value);
}

function isSharedArrayBuffer(value: unknown): value is ArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
}

export function isDetached(buffer: BufferSource): boolean {
  const ab = ArrayBuffer.isView(buffer) ? buffer.buffer : buffer;
  return (ab as ArrayBuffer & { detached?: boolean }).detached === true || (ab.byteLength === 0 && isDetachedSlow(ab));
}

function isDetachedSlow(ab: ArrayBufferLike): boolean {
  // Node 20 has no ArrayBuffer.prototype.detached; a detached buffer throws on slice().
  try {
    ab.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/** A view of the bytes of a BufferSource (no copy). */
export function bytesOf(source: BufferSource): Uint8Array {
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return new Uint8Array(source);
}

export function requireDictionary(value: unknown, name: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function requireFunction(value: unknown, name: string): (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
  return value as (...args: never[]) => unknown;
}

/** Transfers (detaches) the given ArrayBuffers, as the spec's `transfer` members require. Throws
 * TypeError on duplicates or already-detached buffers. Returns nothing: callers copied first. */
export function detachTransferList(list: unknown, name: string): ArrayBuffer[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError(`${name}.transfer must be a sequence of ArrayBuffers`);
  const seen = new Set<ArrayBuffer>();
  for (const buffer of list) {
    if (!(buffer instanceof ArrayBuffer)) throw new TypeError(`${name}.transfer must contain only ArrayBuffers`);
    if (seen.has(buffer)) throw new DOMException(`${name}.transfer lists the same ArrayBuffer twice`, 'DataCloneError');
    if (isDetached(buffer)) throw new DOMException(`${name}.transfer lists a detached ArrayBuffer`, 'DataCloneError');
    seen.add(buffer);
  }
  return [...seen];
}

/** Detaches each buffer and returns, for each, a new ArrayBuffer over the same memory (a
 * structured-clone transfer moves the memory without copying it). */
export function detach(buffers: ArrayBuffer[]): Map<ArrayBuffer, ArrayBuffer> {
  const moved = new Map<ArrayBuffer, ArrayBuffer>();
  for (const buffer of buffers) moved.set(buffer, structuredClone(buffer, { transfer: [buffer] }));
  return moved;
}

/** The bytes of `source`, taking its memory without a copy when its buffer is in `transfer`
 * (the buffer is then detached), else copying them. */
export function takeOrCopyBytes(source: BufferSource, transfer: ArrayBuffer[]): Uint8Array {
  const view = bytesOf(source);
  const buffer = view.buffer as ArrayBuffer;
  // Read the view's extent before detaching: a view of a detached buffer reports length 0.
  const { byteOffset, byteLength } = view;
  const copy = transfer.includes(buffer) ? null : new Uint8Array(view);
  const adopted = detach(transfer).get(buffer);
  return adopted !== undefined ? new Uint8Array(adopted, byteOffset, byteLength) : copy!;
}
