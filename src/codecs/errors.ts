// The spec's error types. DOMException is a global in Node >= 17; every message says what
// happened and what to do about it.

export type CodecErrorName =
  | 'AbortError'
  | 'DataError'
  | 'EncodingError'
  | 'InvalidStateError'
  | 'NotSupportedError'
  | 'QuotaExceededError';

export function domException(name: CodecErrorName, message: string): DOMException {
  return new DOMException(message, name);
}

export function invalidState(message: string): DOMException {
  return domException('InvalidStateError', message);
}

/** Reports an exception thrown by a user callback the way a browser reports it: as an uncaught
 * exception in its own task, without breaking the codec that invoked the callback. */
export function reportCallbackError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
