// How many threads each codec's FFmpeg context may use. FFmpeg's "auto" (one per core, or 1.5x for
// x264) is right for one busy codec, but 32 concurrent decoders each starting a thread per core
// oversubscribe the machine and lose throughput to context switches. So: auto while there are no
// more codecs than cores, one thread each beyond that. Overridable process-wide.
import { availableParallelism } from 'node:os';
import { native } from '../native.js';

let override: number | 'auto' | null = null;

/** Sets the FFmpeg thread count for codecs configured from now on: a number, 'auto' (FFmpeg
 * decides, per codec), or null to restore the default policy. Returns the setting. */
export function setCodecThreads(threads: number | 'auto' | null): number | 'auto' | null {
  if (threads !== null && threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    throw new RangeError("codec threads must be an integer from 1 to 64, 'auto', or null");
  }
  override = threads;
  return override;
}

/** The `threads` value for a codec being configured now (0 means FFmpeg's auto). */
export function codecThreadCount(): number {
  if (override === 'auto') return 0;
  if (typeof override === 'number') return override;
  return native.liveCounters().codecs > availableParallelism() ? 1 : 0;
}
