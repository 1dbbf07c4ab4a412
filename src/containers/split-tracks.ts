// Splits the Demuxer's single stream of { track, chunk } (file order) into one ReadableStream per
// track. Reading one track's stream reads the shared source until a chunk of that track arrives;
// chunks of other tracks wait in their own queues, each bounded: when a queue is full, reading
// stops until that track's consumer takes from it. Memory is bounded by `limit` per track, so
// consumers must read the tracks concurrently (as a decoder per track does) or cancel the
// streams they do not want: a cancelled track's chunks are dropped, and cancelling every track
// cancels the source.
import type { EncodedAudioChunk } from '../codecs/encoded-audio-chunk.js';
import type { EncodedVideoChunk } from '../codecs/encoded-video-chunk.js';
import type { DemuxedChunk } from './demuxer.js';

type Chunk = EncodedVideoChunk | EncodedAudioChunk;

/** Chunks a track's queue holds while other tracks are read: more than any sane interleaving
 * puts between two chunks of a track (a second or two of media). */
export const DEFAULT_TRACK_QUEUE_LIMIT = 256;

export function splitTracks(source: ReadableStream<DemuxedChunk>, trackCount: number, limit = DEFAULT_TRACK_QUEUE_LIMIT): ReadableStream<Chunk>[] {
  const reader = source.getReader();
  const queues: Chunk[][] = Array.from({ length: trackCount }, () => []);
  const cancelled: boolean[] = new Array<boolean>(trackCount).fill(false);
  let done = false;
  let failure: { error: unknown } | null = null;
  let reading: Promise<void> | null = null;
  // Pulls waiting for another track's consumer to make room.
  let waiters: (() => void)[] = [];
  const wakeAll = (): void => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  const readOne = (): Promise<void> => {
    reading ??= reader.read().then(
      ({ done: end, value }) => {
        reading = null;
        if (end) done = true;
        else if (!cancelled[value.track]) queues[value.track]!.push(value.chunk);
        wakeAll();
      },
      (error: unknown) => {
        reading = null;
        failure = { error };
        wakeAll();
      },
    );
    return reading;
  };

  const otherQueueFull = (track: number): boolean =>
    queues.some((queue, i) => i !== track && !cancelled[i] && queue.length >= limit);

  return queues.map(
    (queue, track) =>
      new ReadableStream<Chunk>(
        {
          async pull(controller) {
            while (queue.length === 0 && !done && failure === null) {
              if (otherQueueFull(track)) await new Promise<void>((resolve) => waiters.push(resolve));
              else await readOne();
            }
            if (queue.length > 0) {
              controller.enqueue(queue.shift()!);
              wakeAll(); // room in this queue: a pull waiting on it may read on
            } else if (failure !== null) {
              controller.error((failure as { error: unknown }).error);
            } else {
              controller.close();
            }
          },
          cancel(reason) {
            cancelled[track] = true;
            queue.length = 0;
            wakeAll();
            if (cancelled.every(Boolean)) void reader.cancel(reason).catch(() => {});
          },
        },
        { highWaterMark: 0 },
      ),
  );
}
