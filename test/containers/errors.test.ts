// Bad input gives a ContainerError that says what is wrong (and never a crash): missing files,
// garbage, truncated files, a failing source stream, an MP4 that cannot be streamed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Demuxer } from '../../src/containers/index.js';
import { AUDIO_IN, VIDEO_IN, ffmpeg, mediaDir, readAll } from '../helpers/containers.js';

const dir = mediaDir(t);
const faststart = ffmpeg(join(dir, 'faststart.mp4'), [...VIDEO_IN, ...AUDIO_IN, '-t', '1', '-c:v', 'libx264', '-c:a', 'aac', '-movflags', '+faststart']);
const moovAtEnd = ffmpeg(join(dir, 'moov-at-end.mp4'), [...VIDEO_IN, '-t', '1', '-c:v', 'libx264']);
// Lossless, so larger than what libavformat keeps buffered: reading it from a stream would need a
// seek back to the media data.
const bigMoovAtEnd = ffmpeg(join(dir, 'big-moov-at-end.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '1', '-c:v', 'libx264', '-qp', '0']);
const webm = ffmpeg(join(dir, 'a.webm'), [...VIDEO_IN, '-t', '1', '-c:v', 'libvpx', '-deadline', 'realtime']);

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

t.test('a missing file', async (t) => {
  await t.rejects(Demuxer.open(join(dir, 'nope.mp4')), { name: 'ContainerError', code: 'not-found', message: /no such file: .*nope\.mp4/ });
  await t.rejects(Demuxer.open(dir), { code: 'not-found', message: /not a file/ });
});

t.test('garbage and empty files', async (t) => {
  let seed = 7;
  const garbage = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  await t.rejects(Demuxer.open(write('garbage.mp4', garbage)), { code: 'invalid-data', message: /is not a media file FFmpeg can read, or it is corrupt or truncated/ });
  await t.rejects(Demuxer.open(write('empty.webm', new Uint8Array(0))), { code: 'invalid-data' });
});

t.test('an MP4 cut before its index', async (t) => {
  const bytes = readFileSync(moovAtEnd);
  await t.rejects(Demuxer.open(write('cut-index.mp4', bytes.subarray(0, bytes.length - 600))), { code: 'invalid-data' });
});

t.test('an MP4 cut in its media data: the packets it has, then an error naming the truncation', async (t) => {
  const bytes = readFileSync(faststart);
  const demuxer = await Demuxer.open(write('cut-data.mp4', bytes.subarray(0, Math.floor(bytes.length * 0.6))));
  const error = await readAll(demuxer).catch((e: unknown) => e);
  t.match(error, { code: 'invalid-data', message: /is truncated: track \d \((video|audio)\) ended after \d+ of the \d+ packets/ });
});

t.test('a WebM cut short ends early without a crash', async (t) => {
  const bytes = readFileSync(webm);
  const chunks = await readAll(await Demuxer.open(write('cut.webm', bytes.subarray(0, Math.floor(bytes.length / 2)))));
  t.ok(chunks.length > 0 && chunks.length < 30, `${chunks.length} of 30 frames`);
});

t.test('a source stream that fails', async (t) => {
  const bytes = readFileSync(webm);
  let sent = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes.subarray(0, 2000));
      } else {
        controller.error(new Error('connection reset'));
      }
    },
  });
  // The header may come through before the failure: then reading fails.
  await t.rejects(
    Demuxer.open(source).then((demuxer) => readAll(demuxer)),
    { code: 'io', message: /connection reset/ },
  );
});

t.test('a source that gives text instead of bytes', async (t) => {
  const source = new ReadableStream({ start: (c) => c.enqueue('hello' as unknown as Uint8Array) });
  await t.rejects(Demuxer.open(source), { code: 'io', message: /reads bytes/ });
});

t.test('an MP4 with its index at the end cannot be streamed: the message says what to do', async (t) => {
  const bytes = readFileSync(bigMoovAtEnd);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 65536) controller.enqueue(bytes.subarray(i, i + 65536));
      controller.close();
    },
  });
  await t.rejects(
    Demuxer.open(source).then((demuxer) => readAll(demuxer)),
    { code: 'invalid-data', message: /index \(moov\) is at the end.*file path.*faststart/ },
  );
});

t.test('close() while reading stops the stream', async (t) => {
  const demuxer = await Demuxer.open(faststart);
  const reader = demuxer.readable.getReader();
  await reader.read();
  demuxer.close();
  demuxer.close();
  t.pass('close twice is fine');
});

t.test('a demuxer dropped without close() lets the process exit', async (t) => {
  const script = `import { Demuxer } from ${JSON.stringify(new URL('../../src/containers/index.ts', import.meta.url).href)};
    const d = await Demuxer.open(${JSON.stringify(faststart)}); await d.readable.getReader().read(); console.log('read');`;
  const out = execFileSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.match(out, /read/);
});
