// A VideoFrame or AudioData collected without close() has its native memory released by the
// addon's finalizer; this registry only tells the developer, once per process per class, because
// until the collector runs that memory (megabytes per frame) is held for nothing.
import type { NativeFrame } from '../native.js';

const warned = new Set<string>();

const registry = new FinalizationRegistry<string>((className) => {
  if (warned.has(className)) return;
  warned.add(className);
  process.emitWarning(
    `A ${className} was garbage-collected without close(). Its memory was held until the collector ran; ` +
      `call close() as soon as you are done with it (or declare it with \`using\`).`,
    { type: 'WebCodecsWarning', code: 'WEBCODECS_UNCLOSED' },
  );
});

export const warnUnclosed = {
  register(target: object, className: string, _native: NativeFrame | null): void {
    registry.register(target, className, target);
  },
  unregister(target: object): void {
    registry.unregister(target);
  },
};
