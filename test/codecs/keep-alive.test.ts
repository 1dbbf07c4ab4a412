// Pending codec work keeps the process alive like pending I/O; an idle codec does not.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function runScript(source: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

t.test('a script with no timers that awaits a decoder flush receives every frame before exiting', async (t) => {
  const result = runScript(`
    import { VideoEncoder, VideoDecoder, VideoFrame } from './dist/index.js';
    const chunks = []; let config;
    const enc = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) config = m.decoderConfig; }, error: (e) => { throw e; } });
    enc.configure({ codec: 'avc1.42001e', width: 128, height: 96 });
    for (let i = 0; i < 40; i++) {
      const f = new VideoFrame(new Uint8Array(128 * 96 * 3 / 2).fill(i), { format: 'I420', codedWidth: 128, codedHeight: 96, timestamp: i * 1000 });
      enc.encode(f); f.close();
    }
    await enc.flush(); enc.close();
    let frames = 0;
    const dec = new VideoDecoder({ output: (f) => { frames++; f.close(); }, error: (e) => { throw e; } });
    dec.configure(config);
    for (const c of chunks) dec.decode(c);
    await dec.flush();
    console.log('frames', frames);
  `);
  t.equal(result.status, 0, result.stderr);
  t.match(result.stdout, /frames 40/);
});

t.test('an idle configured codec that is never closed does not keep the process alive', async (t) => {
  const result = runScript(`
    import { VideoEncoder } from './dist/index.js';
    const enc = new VideoEncoder({ output: () => {}, error: () => {} });
    enc.configure({ codec: 'avc1.42001e', width: 64, height: 64 });
    globalThis.keep = enc;
    console.log('configured');
  `);
  t.equal(result.status, 0, result.stderr);
  t.match(result.stdout, /configured/);
  t.equal(result.signal, null, 'exited by itself, not by the timeout');
});

t.test('process exit with codecs busy neither hangs nor crashes', async (t) => {
  const result = runScript(`
    import { VideoEncoder, VideoFrame } from './dist/index.js';
    for (let n = 0; n < 4; n++) {
      const enc = new VideoEncoder({ output: () => {}, error: () => {} });
      enc.configure({ codec: 'avc1.640028', width: 1280, height: 720 });
      for (let i = 0; i < 10; i++) {
        const f = new VideoFrame(new Uint8Array(1280 * 720 * 3 / 2), { format: 'I420', codedWidth: 1280, codedHeight: 720, timestamp: i });
        enc.encode(f); f.close();
      }
    }
    setTimeout(() => process.exit(0), 20);
  `);
  t.equal(result.status, 0, result.stderr);
  t.equal(result.signal, null);
});
