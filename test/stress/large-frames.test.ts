// Very large frames: 8K (7680x4320) I420 through H.264 at the fastest setting WebCodecs offers
// (latencyMode "realtime": x264 veryfast + zerolatency), two frames, encoded and decoded back;
// plus frames much larger than the configured size (scaled down by the encoder). In a child
// process: an 8K frame is 50 MB of pixels, and a crash must be reported, not kill tap.
import t from 'tap';
import { describe, DIST, endedCleanly, nativeReports, runChild } from './child.js';

t.test('8K I420 frames through H.264 and back', async (t) => {
  const result = await runChild(
    `
    import { VideoDecoder, VideoEncoder, VideoFrame, getLiveCounters } from '${DIST}';
    const W = 7680, H = 4320;
    // Level 6.0 (avc1.64003C) allows 8K; 4:2:0 high profile.
    const config = { codec: 'avc1.64003C', width: W, height: H, latencyMode: 'realtime', bitrate: 20_000_000 };
    const support = await VideoEncoder.isConfigSupported(config);
    const chunks = []; let decoderConfig; let error = null;
    const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) decoderConfig = m.decoderConfig; }, error: (e) => { error = e; } });
    encoder.configure(config);
    const pixels = new Uint8Array(W * H * 3 / 2);
    for (let i = 0; i < pixels.length; i += 4093) pixels[i] = i & 0xff;
    for (let i = 0; i < 2; i++) {
      const frame = new VideoFrame(pixels, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333 });
      encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
    }
    await encoder.flush();
    // A frame far larger than the configured size: the encoder scales it.
    const small = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { error = e; } });
    small.configure({ codec: 'avc1.42001e', width: 320, height: 240, latencyMode: 'realtime' });
    const big = new VideoFrame(pixels, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 });
    small.encode(big); big.close();
    await small.flush(); small.close();
    encoder.close();
    const sizes = [];
    const decoder = new VideoDecoder({ output: (f) => { sizes.push([f.codedWidth, f.codedHeight]); f.close(); }, error: (e) => { error = e; } });
    decoder.configure(decoderConfig);
    for (const c of chunks.slice(0, 2)) decoder.decode(c);
    await decoder.flush(); decoder.close();
    for (let i = 0; i < 5000 && getLiveCounters().codecs !== 0; i++) await new Promise((r) => setTimeout(r, 1));
    console.log('RESULT ' + JSON.stringify({ supported: support.supported, chunks: chunks.length, sizes, error: error && error.name + ': ' + error.message, live: getLiveCounters(), rssMiB: Math.round(process.memoryUsage().rss / 1048576) }));
  `,
    { timeoutMs: 300_000 },
  );
  t.ok(endedCleanly(result), describe(result));
  t.same(nativeReports(result.stderr), [], 'no native error or sanitizer report');
  const r = result.result as { supported: boolean; chunks: number; sizes: number[][]; error: string | null; live: Record<string, number>; rssMiB: number } | null;
  if (r === null) return;
  t.equal(r.error, null, 'no error callback');
  t.ok(r.supported, 'isConfigSupported agrees that 8K at level 6.0 is supported');
  t.equal(r.chunks, 3, 'two 8K chunks and one scaled-down chunk');
  t.same(r.sizes, [[7680, 4320], [7680, 4320]], 'both 8K frames decode at full size');
  t.equal(r.live.videoFrames, 0, 'no frame alive');
  t.equal(r.live.codecs, 0, 'no codec thread alive');
  t.comment(`peak RSS of the child: ${r.rssMiB} MiB`);
});
