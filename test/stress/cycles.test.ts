// Create-configure-close cycles, many of them, in a child process (a crash is reported, not
// fatal; --expose-gc lets the child measure RSS after full collections). Leak checks: the live
// counters return to zero and RSS growth across the measured cycles stays within a generous bound
// (a leak of one frame, codec context or thread per cycle would exceed it many times over).
// RELIABILITY_SCALE multiplies the cycle counts.
import t from 'tap';
import { describe, DIST, endedCleanly, nativeReports, runChild, TESTING } from './child.js';

const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);
/** Under scripts/sanitize.sh the allocator keeps freed memory in quarantine (ASan: 256 MiB by
 * default) and shadow memory grows with the heap, so RSS says little there: the bound widens by
 * that much, and `sanitize.sh leak` is the leak check for those builds. */
const SANITIZER_SLACK_MiB = /lib(asan|tsan)/.test(process.env.LD_PRELOAD ?? '') ? 512 : 0;

/** A child that runs `warmup` cycles, measures RSS, runs `cycles` more, measures again. */
function cycleScript(kind: 'test' | 'h264', warmup: number, cycles: number): string {
  return `
    import { VideoEncoder, VideoFrame, getLiveCounters } from '${DIST}';
    import { TestCodec } from '${TESTING}';
    const frameBytes = new Uint8Array(32 * 32 * 3 / 2);
    const turn = () => new Promise((r) => setImmediate(r));
    let outputs = 0, errors = 0;
    async function cycle(i) {
      const init = { output: () => outputs++, error: () => errors++ };
      const codec = ${kind === 'test' ? 'new TestCodec(init)' : 'new VideoEncoder(init)'};
      codec.configure(${kind === 'test' ? '{ delay: i % 3 }' : "{ codec: 'avc1.42001e', width: 32, height: 32, latencyMode: 'realtime' }"});
      const frame = new VideoFrame(frameBytes, { format: 'I420', codedWidth: 32, codedHeight: 32, timestamp: i });
      codec.encode(frame);
      frame.close();
      // Every fourth cycle waits for its output; the others close with work in flight.
      if (i % 4 === 0) await codec.flush();
      codec.close();
      if (i % 16 === 0) await turn(); // let closed workers report and be joined now and then
    }
    async function settle() {
      for (let i = 0; i < 20000 && getLiveCounters().codecs !== 0; i++) await new Promise((r) => setTimeout(r, 1));
      for (let i = 0; i < 5; i++) { globalThis.gc(); await turn(); }
    }
    let i = 0;
    for (; i < ${warmup}; i++) await cycle(i);
    await settle();
    const before = process.memoryUsage().rss;
    for (; i < ${warmup + cycles}; i++) await cycle(i);
    await settle();
    const after = process.memoryUsage().rss;
    console.log('RESULT ' + JSON.stringify({ cycles: i, outputs, errors, before, after, live: getLiveCounters() }));
  `;
}

for (const [kind, warmup, cycles, boundMiB] of [
  ['test', 1000, Math.round(9000 * SCALE), 48],
  ['h264', 40, Math.round(260 * SCALE), 64],
] as const) {
  t.test(`${warmup + cycles} create-configure-encode-close cycles (${kind === 'test' ? 'test codec' : 'H.264'}) leak nothing`, async (t) => {
    const result = await runChild(cycleScript(kind, warmup, cycles), { nodeArgs: ['--expose-gc'], timeoutMs: 300_000 });
    t.ok(endedCleanly(result), describe(result));
    t.same(nativeReports(result.stderr), [], 'no native error or sanitizer report');
    const r = result.result as { cycles: number; outputs: number; errors: number; before: number; after: number; live: Record<string, number> } | null;
    if (r === null) return;
    t.equal(r.errors, 0, 'no error callback');
    t.ok(r.outputs >= Math.ceil(r.cycles / 4), `the flushed cycles produced their outputs (${r.outputs})`);
    t.equal(r.live.codecs, 0, 'every codec thread ended');
    t.equal(r.live.videoFrames, 0, 'no frame alive');
    t.equal(r.live.videoFrameBytes, 0, 'no frame bytes alive');
    const growthMiB = (r.after - r.before) / (1024 * 1024);
    const bound = boundMiB + SANITIZER_SLACK_MiB;
    t.ok(growthMiB < bound, `RSS grew ${growthMiB.toFixed(1)} MiB over ${cycles} measured cycles (bound ${bound} MiB)`);
  });
}
