// splitTracks: one stream per track, each in order, with bounded queues (reading one track stops
// when another's queue is full) and cancelled tracks dropped.
import t from 'tap';
import { EncodedAudioChunk, EncodedVideoChunk } from '../../src/index.js';
import { splitTracks, type DemuxedChunk } from '../../src/containers/index.js';

function chunk(track: number, timestamp: number): DemuxedChunk {
  const init = { type: 'key' as const, timestamp, data: new Uint8Array(1) };
  return { track, chunk: track === 0 ? new EncodedVideoChunk(init) : new EncodedAudioChunk(init) };
}

/** A source of `items` that counts how many were read from it. */
function source(items: DemuxedChunk[]): { stream: ReadableStream<DemuxedChunk>; read: () => number } {
  let i = 0;
  const stream = new ReadableStream<DemuxedChunk>(
    { pull: (controller) => (i < items.length ? controller.enqueue(items[i++]!) : controller.close()) },
    { highWaterMark: 0 },
  );
  return { stream, read: () => i };
}

t.test('each track gets its own chunks in order', async (t) => {
  const items = [chunk(0, 0), chunk(1, 0), chunk(1, 10), chunk(0, 33), chunk(1, 20)];
  const [video, audio] = splitTracks(source(items).stream, 2);
  const collect = async (s: ReadableStream<EncodedVideoChunk | EncodedAudioChunk>) => {
    const out: number[] = [];
    for await (const c of s) out.push(c.timestamp);
    return out;
  };
  const [v, a] = await Promise.all([collect(video!), collect(audio!)]);
  t.same(v, [0, 33]);
  t.same(a, [0, 10, 20]);
});

t.test("reading one track stops when another track's queue is full", async (t) => {
  const limit = 3;
  const items = [chunk(0, 0), ...Array.from({ length: 10 }, (_, i) => chunk(1, i)), chunk(0, 1)];
  const src = source(items);
  const [video, audio] = splitTracks(src.stream, 2, limit);
  const videoReader = video!.getReader();
  t.equal((await videoReader.read()).value?.timestamp, 0);
  let second: number | undefined;
  const pending = videoReader.read().then((r) => (second = r.value?.timestamp));
  // Let the split read as far as it will: it must stop with the audio queue full.
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
  t.equal(second, undefined, 'the video read waits');
  t.equal(src.read(), 1 + limit, 'only up to the audio queue limit was read from the source');
  const audioReader = audio!.getReader();
  const audioSeen: number[] = [];
  for (let i = 0; i < 10; i++) audioSeen.push((await audioReader.read()).value!.timestamp);
  await pending;
  t.equal(second, 1, 'reading audio let the video read finish');
  t.same(audioSeen, Array.from({ length: 10 }, (_, i) => i));
});

t.test('a cancelled track is dropped, not kept', async (t) => {
  const items = [...Array.from({ length: 100 }, (_, i) => chunk(1, i)), chunk(0, 5)];
  const src = source(items);
  const [video, audio] = splitTracks(src.stream, 2, 2);
  await audio!.cancel();
  const reader = video!.getReader();
  t.equal((await reader.read()).value?.timestamp, 5, 'the video chunk behind 100 audio chunks arrives');
  t.ok((await reader.read()).done);
});
