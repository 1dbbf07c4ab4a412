// Non-standard diagnostics: how much native media memory is alive, and which FFmpeg is loaded.
import { native, type LiveCounters } from './native.js';

export type { LiveCounters } from './native.js';

/** Frames, AudioData and bytes alive in native memory, and codec threads running. Counts only
 * reach zero when every frame was closed (or collected): tests use it to prove nothing leaks. */
export function getLiveCounters(): LiveCounters {
  return native.liveCounters();
}

/** Versions of the FFmpeg libraries the addon is running against. */
export function ffmpegVersions(): Record<string, string> {
  return native.versions();
}
