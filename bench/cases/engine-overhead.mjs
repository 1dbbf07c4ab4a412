// Per-call overhead of the engine: encode round trips per second through the native worker and
// the JavaScript state machine, with the test codec (no media work) and tiny frames.
import { TestCodec } from '../../dist/testing.js';
import { VideoFrame } from '../../dist/index.js';
import { measureInProcess } from '../lib.mjs';

export async function engineOverheadCase({ count = 100_000 } = {}) {
  const frame = new VideoFrame(new Uint8Array(4 * 4 * 4), { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  let outputs = 0;
  const codec = new TestCodec({ output: () => outputs++, error: (e) => { throw e; } });
  codec.configure({});
  const result = await measureInProcess(async () => {
    for (let i = 0; i < count; i++) {
      // Stay within a bounded queue as a real producer would (wait for 'dequeue').
      if (codec.queueLength > 256) await new Promise((resolve) => codec.addEventListener('dequeue', resolve, { once: true }));
      codec.encode(frame);
    }
    await codec.flush();
    return outputs;
  });
  codec.close();
  frame.close();
  return {
    name: 'engine round trips (test codec, 4x4 frames)',
    frames: count,
    ours: { fps: result.value / result.wall, cpu: result.cpu, peakRssMb: result.peakRssMb, loop: [result.loopP50, result.loopP99, result.loopMax], bytes: 0, psnr: NaN },
    // The target is absolute: >= 100,000 round trips per second.
    ffmpeg: { fps: 100_000, cpu: NaN, peakRssMb: NaN, bytes: 0, psnr: NaN },
    note: 'ratio is against the 100,000/s target',
  };
}
