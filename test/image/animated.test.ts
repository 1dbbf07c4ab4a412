// Animated GIF and APNG: frame count, repetition count, per-frame timestamps and durations, and
// frames decodable while the rest of the file is still arriving.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { ImageDecoder } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { bytesOf, ffmpegFrames, makeImage, manualStream, pixelsOf, slowStream } from './helpers.js';

checkNoLiveFramesAfterEach(t);

// Four frames shown for 100, 300, 600 and 600 ms: frames 0, 10, 40 and 100 of a 100 fps source.
const VFR_SOURCE = 'testsrc2=size=32x24:rate=100';
const VFR_ARGS = ['-vf', 'select=eq(n\\,0)+eq(n\\,10)+eq(n\\,40)+eq(n\\,100)', '-fps_mode', 'passthrough', '-frames:v', '4'];
const TIMESTAMPS = [0, 100_000, 400_000, 1_000_000];
const DURATIONS = [100_000, 300_000, 600_000, 600_000];

const formats = [
  { name: 'GIF', type: 'image/gif', file: (n: string) => `${n}.gif`, loop: (plays: number) => ['-loop', String(plays === 0 ? 0 : plays - 1)], pixFmt: 'bgra', format: 'BGRA' },
  { name: 'APNG', type: 'image/png', file: (n: string) => `${n}.apng`, loop: (plays: number) => ['-plays', String(plays), '-f', 'apng'], pixFmt: 'rgba', format: 'RGBA' },
];

/** Byte offset of each frame's packet, as ffprobe reports it. */
function packetPositions(path: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pos', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return out.trim().split('\n').map(Number);
}

for (const f of formats) {
  t.test(`${f.name}: track, timestamps, durations and pixels of every frame`, async (t) => {
    // Played 3 times: repeated twice.
    const path = makeImage(f.file('vfr'), [...VFR_ARGS, ...f.loop(3)], VFR_SOURCE);
    const decoder = new ImageDecoder({ type: f.type, data: bytesOf(path) });
    await decoder.tracks.ready;
    const track = decoder.tracks.selectedTrack!;
    t.equal(track.animated, true);
    t.equal(track.frameCount, 4);
    t.equal(track.repetitionCount, 2, 'played three times: two repetitions');
    const reference = ffmpegFrames(path, f.pixFmt);
    const frameBytes = 32 * 24 * 4;
    t.equal(reference.byteLength, 4 * frameBytes, 'ffmpeg decodes four frames');
    // Forwards, backwards (the decoder starts again from the first frame) and repeated.
    for (const index of [0, 1, 2, 3, 2, 0, 3, 3]) {
      const { image, complete } = await decoder.decode({ frameIndex: index });
      t.equal(complete, true);
      t.equal(image.format, f.format);
      t.equal(image.timestamp, TIMESTAMPS[index], `frame ${index} timestamp`);
      t.equal(image.duration, DURATIONS[index], `frame ${index} duration`);
      t.ok(Buffer.from(await pixelsOf(image)).equals(reference.subarray(index * frameBytes, (index + 1) * frameBytes)), `frame ${index} equals ffmpeg's`);
      image.close();
    }
    await t.rejects(decoder.decode({ frameIndex: 4 }), RangeError, 'a frame index past the end is a RangeError');
    t.equal(decoder.tracks.length, 1, 'a RangeError does not close the decoder');
    const { image } = await decoder.decode({ frameIndex: 1 });
    image.close();
    decoder.close();
  });

  t.test(`${f.name}: a loop forever is an infinite repetition count`, async (t) => {
    const decoder = new ImageDecoder({ type: f.type, data: bytesOf(makeImage(f.file('forever'), [...VFR_ARGS, ...f.loop(0)], VFR_SOURCE)) });
    await decoder.tracks.ready;
    t.equal(decoder.tracks[0]!.repetitionCount, Infinity);
    decoder.close();
  });

  t.test(`${f.name}: frames decode while the rest of the file is still arriving`, { timeout: 60_000 }, async (t) => {
    const path = makeImage(f.file('progressive'), [...VFR_ARGS, ...f.loop(1)], VFR_SOURCE);
    const bytes = bytesOf(path);
    const positions = packetPositions(path);
    const { stream, push, end } = manualStream();
    const decoder = new ImageDecoder({ type: f.type, data: stream });
    // Everything up to the middle of frame 2: frames 0 and 1 are whole.
    const cut = positions[2]! + Math.floor((positions[3]! - positions[2]!) / 2);
    push(bytes.subarray(0, cut));
    await decoder.tracks.ready;
    t.equal(decoder.complete, false, 'the tracks are known before the data is complete');
    const track = decoder.tracks[0]!;
    t.equal(track.animated, true);
    t.ok(track.frameCount >= 3, `frames found so far: ${track.frameCount}`);
    const reference = ffmpegFrames(path, f.pixFmt);
    const frameBytes = 32 * 24 * 4;
    for (const index of [0, 1]) {
      const { image } = await decoder.decode({ frameIndex: index });
      t.equal(decoder.complete, false, `frame ${index} decoded before the data is complete`);
      t.ok(Buffer.from(await pixelsOf(image)).equals(reference.subarray(index * frameBytes, (index + 1) * frameBytes)), `frame ${index} equals ffmpeg's`);
      image.close();
    }
    const later = decoder.decode({ frameIndex: 3 });
    push(bytes.subarray(cut));
    end();
    const { image } = await later;
    t.equal(image.timestamp, TIMESTAMPS[3]);
    t.ok(Buffer.from(await pixelsOf(image)).equals(reference.subarray(3 * frameBytes)), 'frame 3 equals ffmpeg\'s');
    image.close();
    await decoder.completed;
    t.equal(track.frameCount, 4, 'the frame count grew to the final count');
    decoder.close();
  });

  t.test(`${f.name}: a player loop over a slow stream gets every frame, then a RangeError`, async (t) => {
    const path = makeImage(f.file('player'), [...VFR_ARGS, ...f.loop(0)], VFR_SOURCE);
    const decoder = new ImageDecoder({ type: f.type, data: slowStream(bytesOf(path), 64) });
    const timestamps: number[] = [];
    for (let frameIndex = 0; ; frameIndex++) {
      try {
        const { image } = await decoder.decode({ frameIndex });
        timestamps.push(image.timestamp);
        image.close();
      } catch (error) {
        t.type(error, RangeError, 'the loop ends with a RangeError once the data is complete');
        break;
      }
    }
    t.same(timestamps, TIMESTAMPS);
    t.equal(decoder.complete, true);
    decoder.close();
  });
}

t.test('GIF: several images without a loop extension are still an animation that plays once', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/gif', data: bytesOf(makeImage('once.gif', [...VFR_ARGS, '-loop', '-1'], VFR_SOURCE)) });
  await decoder.tracks.ready;
  t.equal(decoder.tracks[0]!.animated, true);
  t.equal(decoder.tracks[0]!.repetitionCount, 0);
  t.equal(decoder.tracks[0]!.frameCount, 4);
  decoder.close();
});
