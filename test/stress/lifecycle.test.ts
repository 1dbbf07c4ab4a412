// The ends of a codec's life that are not close(): garbage collection of unclosed codecs and
// frames while work is in flight, worker_threads terminated mid-encode, and process exit with
// live codecs. Each runs in a child process, so a crash (or an abort in a destructor) is a failed
// assertion with the child's stderr, and a hang is bounded by the child's timeout.
import t from 'tap';
import { describe, DIST, endedCleanly, nativeReports, runChild, TESTING } from './child.js';

const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);
const n = (count: number) => Math.max(1, Math.round(count * SCALE));

const PRELUDE = `
  import { VideoDecoder, VideoEncoder, VideoFrame, EncodedVideoChunk, getLiveCounters } from '${DIST}';
  import { TestCodec } from '${TESTING}';
  const turn = () => new Promise((r) => setImmediate(r));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const frame = (w, h, i) => new VideoFrame(new Uint8Array(w * h * 3 / 2).fill(i & 0xff), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i });
`;

t.test('garbage collection of unclosed codecs and frames while work is in flight', async (t) => {
  const codecs = n(60);
  const result = await runChild(
    `${PRELUDE}
    let outputs = 0;
    // Codecs nobody keeps a reference to, never closed, some never flushed, each with work queued;
    // decoded frames and caller frames dropped without close().
    function startWork(i) {
      const output = (o) => { outputs++; /* dropped without close(): the collector's job */ };
      if (i % 3 === 0) {
        const codec = new TestCodec({ output, error: () => {} });
        codec.configure({ latencyUs: 300, delay: 2 });
        for (let k = 0; k < 10; k++) codec.encode(frame(16, 16, k));    // caller frames never closed
        if (i % 2 === 0) codec.flush();
      } else if (i % 3 === 1) {
        const codec = new TestCodec({ output, error: () => {} });
        codec.configure({ latencyUs: 300 });
        for (let k = 0; k < 10; k++) codec.decode(new EncodedVideoChunk({ type: 'key', timestamp: k, data: new Uint8Array(8) }));
      } else {
        const encoder = new VideoEncoder({ output, error: () => {} });
        encoder.configure({ codec: 'avc1.42001e', width: 64, height: 64 });
        for (let k = 0; k < 8; k++) { const f = frame(64, 64, k); encoder.encode(f); f.close(); }
      }
    }
    for (let i = 0; i < ${codecs}; i++) {
      startWork(i);
      if (i % 10 === 0) globalThis.gc(); // collections while work is in flight
    }
    let live = getLiveCounters();
    for (let k = 0; k < 4000 && (live.codecs !== 0 || live.videoFrames !== 0); k++) {
      globalThis.gc();
      await sleep(2);
      live = getLiveCounters();
    }
    console.log('RESULT ' + JSON.stringify({ outputs, live }));
  `,
    { nodeArgs: ['--expose-gc'], timeoutMs: 120_000 },
  );
  t.ok(endedCleanly(result), describe(result));
  t.same(nativeReports(result.stderr), [], 'no native error or sanitizer report');
  const r = result.result as { outputs: number; live: Record<string, number> } | null;
  if (r === null) return;
  t.ok(r.outputs > 0, `busy codecs kept working until their work was done (${r.outputs} outputs)`);
  t.equal(r.live.codecs, 0, 'every unclosed codec was collected and its thread ended');
  t.equal(r.live.videoFrames, 0, 'every unclosed frame was collected');
  t.match(result.stderr, /garbage-collected without close\(\)/, 'the unclosed-frame warning was emitted');
});

t.test('worker_threads that create codecs are terminated mid-encode', async (t) => {
  const rounds = n(8);
  const result = await runChild(
    `${PRELUDE}
    import { Worker } from 'node:worker_threads';
    const source = \`
      import { parentPort, workerData } from 'node:worker_threads';
      import { VideoEncoder, VideoDecoder, VideoFrame } from '${DIST}';
      import { TestCodec } from '${TESTING}';
      const frame = (w, h, i) => new VideoFrame(new Uint8Array(w * h * 3 / 2).fill(i & 0xff), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i });
      const encoder = new VideoEncoder({ output: () => {}, error: () => {} });
      encoder.configure({ codec: 'avc1.42001e', width: 320, height: 240 });
      const test = new TestCodec({ output: () => {}, error: () => {} });
      test.configure({ latencyUs: 2000, delay: 3 });
      const kept = [];
      let i = 0;
      function pump() {
        for (let k = 0; k < 4; k++, i++) {
          const f = frame(320, 240, i);
          encoder.encode(f);
          test.encode(f);
          if (i % 7 === 0) kept.push(f); else f.close();   // some frames alive at termination
        }
        if (i % 16 === 0) encoder.flush().catch(() => {});
        // Thread-pool work pending at termination too: a config probe and a large copyTo().
        VideoEncoder.isConfigSupported({ codec: 'avc1.42001e', width: 320, height: 240 }).catch(() => {});
        if (kept.length > 0) kept[0].copyTo(new Uint8Array(320 * 240 * 3 / 2)).catch(() => {});
        parentPort.postMessage(i);
        if (workerData.exitAt !== 0 && i >= workerData.exitAt) process.exit(0);   // the worker ends itself mid-encode
        setTimeout(pump, 1);
      }
      pump();
    \`;
    const url = new URL('data:text/javascript,' + encodeURIComponent(source));
    let terminated = 0, exited = 0;
    for (let round = 0; round < ${rounds}; round++) {
      const workers = Array.from({ length: 3 }, (_, w) => new Worker(url, { workerData: { exitAt: w === 2 ? 8 + round : 0 } }));
      await Promise.all(workers.map((worker, w) => new Promise((resolve, reject) => {
        let ticks = 0;
        worker.on('error', reject);
        worker.on('exit', () => { exited++; resolve(); });
        worker.on('message', () => {
          // Terminate after a varying amount of work: while frames are queued, encoding, flushing.
          if (++ticks === 1 + ((round + w) % 5)) { terminated++; worker.terminate(); }
        });
      })));
    }
    // Each worker's environment cleanup stopped and joined its codec threads.
    let live = getLiveCounters();
    for (let k = 0; k < 2000 && live.codecs !== 0; k++) { await sleep(2); live = getLiveCounters(); }
    // And the main thread can still use codecs afterwards.
    const chunks = [];
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
    encoder.configure({ codec: 'avc1.42001e', width: 64, height: 64 });
    const f = frame(64, 64, 0); encoder.encode(f); f.close();
    await encoder.flush(); encoder.close();
    console.log('RESULT ' + JSON.stringify({ terminated, exited, live, chunksAfter: chunks.length }));
  `,
    { timeoutMs: 180_000 },
  );
  t.ok(endedCleanly(result), describe(result));
  t.same(nativeReports(result.stderr), [], 'no native error or sanitizer report');
  const r = result.result as { terminated: number; exited: number; live: Record<string, number>; chunksAfter: number } | null;
  if (r === null) return;
  t.equal(r.exited, rounds * 3, `all ${rounds * 3} workers ended (${r.terminated} terminated mid-encode, the rest exited by themselves)`);
  t.equal(r.live.codecs, 0, 'no codec thread outlived its worker');
  t.equal(r.chunksAfter, 1, 'the main thread still encodes afterwards');
});

for (const [name, body, expectedStatus] of [
  [
    'process.exit() while codecs are encoding',
    `for (let c = 0; c < 4; c++) {
       const e = new VideoEncoder({ output: () => {}, error: () => {} });
       e.configure({ codec: 'avc1.640028', width: 1280, height: 720 });
       for (let i = 0; i < 6; i++) { const f = frame(1280, 720, i); e.encode(f); f.close(); }
       const tc = new TestCodec({ output: () => {}, error: () => {} });
       tc.configure({ latencyUs: 5000 });
       for (let i = 0; i < 20; i++) { const f = frame(16, 16, i); tc.encode(f); f.close(); }
     }
     setTimeout(() => { console.log('RESULT {}'); process.exit(0); }, 30);`,
    0,
  ],
  [
    'process.exit() from inside an output callback, with other codecs busy',
    `const busy = new TestCodec({ output: () => {}, error: () => {} });
     busy.configure({ latencyUs: 5000 });
     for (let i = 0; i < 50; i++) { const f = frame(16, 16, i); busy.encode(f); f.close(); }
     const e = new VideoEncoder({ output: () => { console.log('RESULT {}'); process.exit(0); }, error: () => {} });
     e.configure({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' });
     for (let i = 0; i < 10; i++) { const f = frame(64, 64, i); e.encode(f); f.close(); }`,
    0,
  ],
  [
    'an uncaught exception while codecs are busy',
    `const e = new VideoEncoder({ output: () => {}, error: () => {} });
     e.configure({ codec: 'avc1.42001e', width: 320, height: 240 });
     for (let i = 0; i < 30; i++) { const f = frame(320, 240, i); e.encode(f); f.close(); }
     e.flush();
     console.log('RESULT {}');
     setTimeout(() => { throw new Error('deliberate'); }, 5);`,
    1,
  ],
  [
    'the script ends with unclosed, idle and saturated codecs and unclosed frames',
    `globalThis.keep = [];
     for (let c = 0; c < 10; c++) {
       const tc = new TestCodec({ output: (o) => keep.push(o), error: () => {} });
       tc.configure({ delay: 5 });
       for (let i = 0; i < 3; i++) tc.encode(frame(16, 16, i));
       keep.push(tc);
     }
     const d = new VideoDecoder({ output: (f) => keep.push(f), error: () => {} });
     keep.push(d);
     console.log('RESULT {}');`,
    0,
  ],
] as const) {
  t.test(`process exit with live codecs: ${name}`, async (t) => {
    const result = await runChild(`${PRELUDE}\n${body}`, { timeoutMs: 60_000 });
    t.equal(result.signal, null, describe(result));
    t.notOk(result.timedOut, 'the process ended by itself (no hang)');
    t.equal(result.status, expectedStatus, describe(result));
    t.not(result.result, null, 'the script ran to its exit point');
    t.same(nativeReports(result.stderr), [], 'no native error or sanitizer report');
  });
}
