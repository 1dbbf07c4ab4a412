// Muxing: files remuxed from ffmpeg-made sources into every format (streamed out or written to a
// path) are read back by ffprobe and by our Demuxer with the same tracks, packet counts,
// timestamps and durations; chunks in decode order without dts (B-frames) mux cleanly.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import type { EncodedVideoChunk, EncodedVideoChunkMetadata } from '../../src/index.js';
import { ContainerError, Demuxer, Muxer, type DemuxedChunk, type MuxerFormat, type MuxerInput } from '../../src/containers/index.js';
import { AUDIO_44K_IN, AUDIO_IN, VIDEO_IN, ffmpeg, ffprobe, mediaDir, readAll, reorderedH264 } from '../helpers/containers.js';

const dir = mediaDir(t);
const SHORT = ['-t', '0.5'];

const SOURCES: Record<string, string[]> = {
  'h264-aac.mp4': [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libx264', '-bf', '2', '-g', '10', '-c:a', 'aac', '-movflags', '+faststart'],
  'vp9-opus.webm': [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'],
  'audio.flac': [...AUDIO_44K_IN, ...SHORT, '-c:a', 'flac'],
  'vorbis.ogg': [...AUDIO_44K_IN, ...SHORT, '-c:a', 'libvorbis'],
  'audio.mp3': [...AUDIO_44K_IN, ...SHORT, '-c:a', 'libmp3lame'],
  'adts.aac': [...AUDIO_44K_IN, ...SHORT, '-c:a', 'aac'],
  'vp8.ivf': [...VIDEO_IN, ...SHORT, '-c:v', 'libvpx', '-deadline', 'realtime'],
  'av1.ivf': [...VIDEO_IN, '-t', '0.2', '-c:v', 'libaom-av1', '-cpu-used', '8', '-row-mt', '0'],
  'annexb.h264': [...VIDEO_IN, ...SHORT, '-c:v', 'libx264', '-bf', '2'],
  'annexb.hevc': [...VIDEO_IN, ...SHORT, '-c:v', 'libx265', '-x265-params', 'log-level=error:pools=1:frame-threads=1'],
};

/** Demuxes `source` and muxes the chosen tracks into `format`: to `out` as a path, or streamed
 * out of the muxer's readable into the file. */
async function remux(source: string, format: MuxerFormat, out: string, viaPath: boolean, kinds = ['video', 'audio']): Promise<void> {
  const demuxer = await Demuxer.open(source);
  const chosen = demuxer.tracks.filter((track) => kinds.includes(track.kind));
  const muxer = new Muxer({ format, tracks: chosen, ...(viaPath ? { path: out } : {}) });
  const renumber = new Map(chosen.map((track, i) => [track.index, i]));
  const written = muxer.readable?.pipeTo(Writable.toWeb(createWriteStream(out)) as WritableStream<Uint8Array>);
  await demuxer.readable
    .pipeThrough(
      new TransformStream<DemuxedChunk, MuxerInput>({
        transform: ({ track, chunk }, controller) => {
          const to = renumber.get(track);
          if (to !== undefined) controller.enqueue({ track: to, chunk });
        },
      }),
    )
    .pipeTo(muxer.writable);
  await written;
}

interface TrackSummary {
  codec: string | null;
  count: number;
  keys: number;
  end: number;
  timestamps: number[];
}

async function summary(path: string, kinds = ['video', 'audio']): Promise<TrackSummary[]> {
  const demuxer = await Demuxer.open(path);
  const chunks = await readAll(demuxer);
  return demuxer.tracks
    .filter((track) => kinds.includes(track.kind))
    .map((track) => {
      const mine = chunks.filter((c) => c.track === track.index).map((c) => c.chunk);
      return {
        codec: track.codec,
        count: mine.length,
        keys: mine.filter((c) => c.type === 'key').length,
        end: Math.max(...mine.map((c) => c.timestamp + (c.duration ?? 0))),
        timestamps: mine.map((c) => c.timestamp),
      };
    });
}

const CASES: [source: string, format: MuxerFormat, ext: string, viaPath: boolean, kinds?: string[]][] = [
  ['h264-aac.mp4', 'fmp4', 'mp4', false],
  ['h264-aac.mp4', 'mp4', 'mp4', true],
  ['h264-aac.mp4', 'mov', 'mov', true],
  ['h264-aac.mp4', 'mkv', 'mkv', false],
  ['h264-aac.mp4', 'mpegts', 'ts', false],
  ['vp9-opus.webm', 'webm', 'webm', false],
  ['vp9-opus.webm', 'webm', 'webm', true],
  ['vp9-opus.webm', 'mp4', 'mp4', true],
  ['vp9-opus.webm', 'ogg', 'ogg', false, ['audio']],
  ['audio.flac', 'flac', 'flac', true],
  ['audio.flac', 'mkv', 'mka', false],
  ['vorbis.ogg', 'ogg', 'ogg', false],
  ['audio.mp3', 'mp3', 'mp3', false],
  ['adts.aac', 'adts', 'aac', false],
  ['adts.aac', 'mp4', 'm4a', true],
  ['vp8.ivf', 'ivf', 'ivf', true],
  ['vp8.ivf', 'webm', 'webm', false],
  ['av1.ivf', 'mp4', 'mp4', true],
  ['av1.ivf', 'mkv', 'mkv', false],
  ['annexb.h264', 'mp4', 'mp4', true],
  ['annexb.h264', 'mkv', 'mkv', false],
  ['annexb.hevc', 'mp4', 'mp4', true],
];

t.before(() => {
  for (const [file, args] of Object.entries(SOURCES)) ffmpeg(join(dir, file), args);
});

let n = 0;
for (const [source, format, ext, viaPath, kinds = ['video', 'audio']] of CASES) {
  t.test(`${source} -> ${format} (${viaPath ? 'path' : 'stream'})`, async (t) => {
    const input = join(dir, source);
    const out = join(dir, `out-${n++}.${ext}`);
    await remux(input, format, out, viaPath, kinds);

    const probe = ffprobe(out);
    t.equal(probe.errors, '', 'ffprobe reads the output without complaint');
    const before = await summary(input, kinds);
    const after = await summary(out);
    t.equal(after.length, before.length, 'same number of tracks');
    // Formats that cannot store times before zero shift the whole file by the B-frame delay or
    // the audio priming (as FFmpeg's own remuxes do), and MPEG-TS starts at 1.4 s: one shift for
    // every track keeps them in sync.
    const shift = after[0]!.timestamps[0]! - before[0]!.timestamps[0]!;
    t.ok(Math.abs(shift) <= 1_600_000, `the file moved by ${shift} µs at most`);
    before.forEach((b, i) => {
      const a = after[i]!;
      t.equal(probe.packets.filter((p) => p.stream_index === i).length, b.count, `track ${i}: ffprobe counts the same packets`);
      t.equal(a.count, b.count, `track ${i}: our demuxer reads the same packets back`);
      t.equal(a.keys, b.keys, `track ${i}: same key packets`);
      // An HEVC stream with parameter sets in band is "hev1" in MP4.
      t.equal(a.codec?.replace(/^hev1/, 'hvc1'), b.codec, `track ${i}: same codec string`);
      // Formats round timestamps to their own time base (Matroska: milliseconds).
      // Fragmented MP4 has no edit list: a track that starts after zero starts at zero, its first
      // sample made longer (FFmpeg's movenc), so its first timestamp is not compared.
      const compared = format === 'fmp4' ? 1 : 0;
      const off = a.timestamps
        .map((ts, j) => Math.abs(ts - shift - b.timestamps[j]!))
        .slice(compared)
        .filter((d) => d > 1000);
      t.same(off, [], `track ${i}: timestamps kept (within 1 ms, after the file's shift)`);
      t.ok(Math.abs(a.end - shift - b.end) <= 100_000, `track ${i}: duration within 0.1 s (ends at ${a.end - shift} vs ${b.end} µs)`);
    });
    const sourceDuration = ffprobe(input).format.duration;
    if (viaPath && probe.format.duration !== undefined && sourceDuration !== undefined) {
      const d = Number(probe.format.duration) - Number(sourceDuration);
      t.ok(Math.abs(d) <= 0.1, `container duration ${probe.format.duration} s within 0.1 s of ${sourceDuration} s`);
    }
  });
}

/** Chunks in decode order with presentation timestamps only (B-frames), and their metadata. */
async function encodeWithBFrames(frames: number): Promise<{ chunk: EncodedVideoChunk; metadata: EncodedVideoChunkMetadata }[]> {
  const { chunks, metadata } = await reorderedH264(t, frames);
  return chunks.map((chunk, i) => ({ chunk, metadata: i === 0 ? metadata : {} }));
}

t.test('chunks in decode order (B-frames) get decode timestamps: clean MP4 and Matroska', async (t) => {
  const encoded = await encodeWithBFrames(40);
  const decodeOrder = encoded.map((e) => e.chunk.timestamp);
  t.notSame(decodeOrder, [...decodeOrder].sort((a, b) => a - b), 'the chunks come in decode order (B-frames)');
  for (const [format, ext] of [['mp4', 'mp4'], ['mkv', 'mkv'], ['mpegts', 'ts']] as const) {
    const path = join(dir, `encoded.${ext}`);
    const muxer = new Muxer({ format, path, tracks: [{ kind: 'video', frameRate: 30 }] });
    const writer = muxer.writable.getWriter();
    for (const { chunk, metadata } of encoded) await writer.write({ track: 0, chunk, metadata });
    await writer.close();
    const probe = ffprobe(path);
    t.equal(probe.errors, '', `${format}: ffprobe reads it without complaint`);
    t.equal(probe.packets.length, 40, `${format}: every frame`);
    const stream = probe.streams[0]!;
    const [num, den] = stream.time_base.split('/').map(Number) as [number, number];
    const pts = probe.packets.map((p) => Math.round(((p.pts ?? 0) * num * 1e6) / den));
    const start = pts[0]! - decodeOrder[0]!;
    t.same(pts.map((p) => Math.round((p - start) / 1000)), decodeOrder.map((ts) => Math.round(ts / 1000)), `${format}: presentation times kept (ms)`);
    if (format !== 'mkv') {
      // Matroska stores no decode times.
      const dts = probe.packets.map((p) => p.dts!);
      t.ok(dts.every((d, i) => i === 0 || d > dts[i - 1]!), `${format}: decode timestamps strictly increase`);
      t.ok(probe.packets.every((p) => p.dts! <= p.pts!), `${format}: no dts after its pts`);
    }
  }
});

t.test('errors say what is wrong', async (t) => {
  t.throws(() => new Muxer({ format: 'mp4', tracks: [{ kind: 'video' }] }), { name: 'ContainerError', code: 'invalid-config', message: /needs a file path.*fmp4/ });
  t.throws(() => new Muxer({ format: 'avi' as MuxerFormat, tracks: [{ kind: 'video' }] }), { code: 'unsupported', message: /unknown format "avi"/ });

  const encoded = await encodeWithBFrames(3);
  const webm = new Muxer({ format: 'webm', tracks: [{ kind: 'video' }] });
  void webm.readable!.pipeTo(new WritableStream()).catch(() => {});
  const writer = webm.writable.getWriter();
  await t.rejects(writer.write({ track: 0, ...encoded[0]! }), { code: 'unsupported', message: /webm format cannot hold h264/ });

  const two = new Muxer({ format: 'mkv', tracks: [{ kind: 'video' }] });
  const w2 = two.writable.getWriter();
  await t.rejects(w2.write({ track: 3, ...encoded[0]! }), { code: 'invalid-config', message: /track 3.*1 track/ });

  const audioOnly = new Muxer({ format: 'mkv', tracks: [{ kind: 'audio' }] });
  await t.rejects(audioOnly.writable.getWriter().write({ track: 0, ...encoded[0]! }), TypeError, 'a video chunk on an audio track');

  const silent = new Muxer({ format: 'mkv', tracks: [{ kind: 'video' }, { kind: 'audio' }] });
  void silent.readable!.pipeTo(new WritableStream()).catch(() => {});
  const w3 = silent.writable.getWriter();
  await w3.write({ track: 0, ...encoded[0]! });
  await t.rejects(w3.close(), { code: 'invalid-config', message: /track 1 received no chunk and has no config/ });
  t.ok(new ContainerError('io', 'x') instanceof Error);
});
