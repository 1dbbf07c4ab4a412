// Every test file ends with no frame alive: closes are synchronous, so the counter is exact.
import type { Test } from 'tap';
import { getLiveCounters } from '../../src/index.js';

export function checkNoLiveFramesAfterEach(t: Test): void {
  // An afterEach hook cannot add assertions to a finished test; throwing fails it instead.
  t.afterEach(() => {
    const live = getLiveCounters();
    if (live.videoFrames !== 0 || live.audioData !== 0) {
      throw new Error(`leak: ${live.videoFrames} VideoFrame(s) and ${live.audioData} AudioData left alive after the test`);
    }
  });
}

/** Waits until `predicate` holds, checking after each turn of the event loop (bounded). */
export async function eventually(predicate: () => boolean, turns = 10000): Promise<boolean> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return predicate();
}
