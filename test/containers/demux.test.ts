// Demuxing every supported format, made by the ffmpeg CLI: the same packets (count, timestamps,
// key flags) as ffprobe lists, codec strings of the registry, the descriptions the registrations
// ask for, and configurations a WebCodecs decoder accepts.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { AudioDecoder, VideoDecoder, type AudioData, type VideoFrame } from '../../src/index.js';
import { parseAudioCodecString, parseVideoCodecString } from '../../src/codecs/config/codec-string/index.js';
import { Demuxer, type DemuxedChunk, type DemuxerTrack } from '../../src/containers/index.js';
import { AUDIO_44K_IN, AUDIO_IN, VIDEO_IN, expectedPackets, ffmpeg, ffprobe, mediaDir, readAll } from '../helpers/containers.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';

checkNoLiveFramesAfterEach(t);
const dir = mediaDir(t);
const SHORT = ['-t', '0.5'];

interface Case {
  file: string;
  args: string[];
  /** Codec string prefix per track, in track order. */
  codecs: string[];
  /** Whether each track's config carries a description. */
  descriptions: boolean[];
}

const CASES: Case[] = [
  { file: 'h264-aac.mp4', args: [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libx264', '-bf', '2', '-g', '10', '-c:a', 'aac', '-movflags', '+faststart'], codecs: ['avc1.64', 'mp4a.40.2'], descriptions: [true, true] },
  { file: 'h264-aac.mov', args: [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libx264', '-c:a', 'aac'], codecs: ['avc1.64', 'mp4a.40.2'], descriptions: [true, true] },
  { file: 'vp9-opus.webm', args: [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'], codecs: ['vp09.00.', 'opus'], descriptions: [false, true] },
  { file: 'h264-flac.mkv', args: [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libx264', '-c:a', 'flac'], codecs: ['avc1.64', 'flac'], descriptions: [true, true] },
  { file: 'h264-aac.ts', args: [...VIDEO_IN, ...AUDIO_IN, ...SHORT, '-c:v', 'libx264', '-bf', '2', '-c:a', 'aac'], codecs: ['avc1.64', 'mp4a.40.2'], descriptions: [false, false] },
  { file: 'vorbis.ogg', args: [...AUDIO_44K_IN, ...SHORT, '-c:a', 'libvorbis'], codecs: ['vorbis'], descriptions: [true] },
  { file: 'opus.ogg', args: [...AUDIO_IN, ...SHORT, '-c:a', 'libopus'], codecs: ['opus'], descriptions: [true] },
  { file: 'audio.flac', args: [...AUDIO_44K_IN, ...SHORT, '-c:a', 'flac'], codecs: ['flac'], descriptions: [true] },
  { file: 'audio.mp3', args: [...AUDIO_44K_IN, ...SHORT, '-c:a', 'libmp3lame'], codecs: ['mp3'], descriptions: [false] },
  { file: 'adts.aac', args: [...AUDIO_44K_IN, ...SHORT, '-c:a', 'aac'], codecs: ['mp4a.40.2'], descriptions: [false] },
  { file: 'vp8.ivf', args: [...VIDEO_IN, ...SHORT, '-c:v', 'libvpx', '-deadline', 'realtime'], codecs: ['vp8'], descriptions: [false] },
  { file: 'av1.ivf', args: [...VIDEO_IN, '-t', '0.2', '-c:v', 'libaom-av1', '-cpu-used', '8', '-row-mt', '0'], codecs: ['av01.0.'], descriptions: [false] },
  { file: 'annexb.h264', args: [...VIDEO_IN, ...SHORT, '-c:v', 'libx264', '-bf', '2'], codecs: ['avc1.64'], descriptions: [false] },
  { file: 'annexb.hevc', args: [...VIDEO_IN, ...SHORT, '-c:v', 'libx265', '-x265-params', 'log-level=error:pools=1:frame-threads=1'], codecs: ['hvc1.1.6.L'], descriptions: [false] },
];

function checkAgainstProbe(t: Test, tracks: readonly DemuxerTrack[], chunks: DemuxedChunk[], path: string): void {
  const probe = ffprobe(path);
  for (const track of tracks) {
    const expected = expectedPackets(probe, track.streamIndex);
    const got = chunks.filter((c) => c.track === track.index);
    t.equal(got.length, expected.length, `${track.kind} track: ffprobe's packet count`);
    t.same(
      got.map((c) => c.chunk.timestamp),
      expected.map((p) => p.timestamp),
      `${track.kind} track: ffprobe's timestamps, converted exactly from ${track.timeBase.numerator}/${track.timeBase.denominator}`,
    );
    t.same(
      got.map((c) => c.chunk.type === 'key'),
      expected.map((p) => p.key),
      `${track.kind} track: ffprobe's key flags`,
    );
  }
}

/** Decodes every chunk of a track with the spec decoder: the config must be one it accepts. */
async function decodeTrack(track: DemuxerTrack, chunks: DemuxedChunk[]): Promise<number> {
  let outputs = 0;
  let failure: unknown = null;
  const init = {
    output: (out: VideoFrame | AudioData) => {
      outputs++;
      out.close();
    },
    error: (e: DOMException) => {
      failure = e;
    },
  };
  const decoder = track.kind === 'video' ? new VideoDecoder(init) : new AudioDecoder(init);
  decoder.configure(track.config as never);
  for (const { chunk } of chunks.filter((c) => c.track === track.index)) decoder.decode(chunk as never);
  await decoder.flush();
  decoder.close();
  if (failure !== null) throw failure;
  return outputs;
}

for (const c of CASES) {
  t.test(c.file, async (t) => {
    const path = ffmpeg(join(dir, c.file), c.args);
    const demuxer = await Demuxer.open(path);
    t.equal(demuxer.tracks.length, c.codecs.length, 'one track per audio/video stream');
    demuxer.tracks.forEach((track, i) => {
      t.ok(track.codec?.startsWith(c.codecs[i]!), `track ${i} codec ${track.codec} starts with ${c.codecs[i]}`);
      const parsed = track.kind === 'video' ? parseVideoCodecString(track.codec!) : parseAudioCodecString(track.codec!);
      t.not(parsed, null, `${track.codec} is a valid codec string of the registry`);
      t.equal(track.config?.description !== undefined, c.descriptions[i], `track ${i} ${c.descriptions[i] ? 'has' : 'has no'} description`);
    });
    const chunks = await readAll(demuxer);
    checkAgainstProbe(t, demuxer.tracks, chunks, path);
    for (const track of demuxer.tracks) {
      const supported =
        track.kind === 'video'
          ? (await VideoDecoder.isConfigSupported(track.config!)).supported
          : (await AudioDecoder.isConfigSupported(track.config!)).supported;
      t.ok(supported, `the ${track.codec} config is one the decoder accepts`);
      if (supported) t.ok((await decodeTrack(track, chunks)) > 0, `${track.codec} decodes`);
    }
  });
}

t.test('a byte stream (Node Readable or WHATWG ReadableStream) gives the same chunks as the path', async (t) => {
  for (const file of ['h264-aac.ts', 'vp9-opus.webm', 'opus.ogg', 'annexb.h264']) {
    const path = join(dir, file);
    const reference = await readAll(await Demuxer.open(path));
    for (const [name, source] of [
      ['Node Readable', createReadStream(path, { highWaterMark: 4096 })],
      ['ReadableStream', Readable.toWeb(createReadStream(path, { highWaterMark: 1000 })) as ReadableStream<Uint8Array>],
    ] as const) {
      const demuxer = await Demuxer.open(source);
      const chunks = await readAll(demuxer);
      t.same(
        chunks.map((c) => [c.track, c.chunk.timestamp, c.chunk.type, c.chunk.byteLength]),
        reference.map((c) => [c.track, c.chunk.timestamp, c.chunk.type, c.chunk.byteLength]),
        `${file} from a ${name}`,
      );
    }
  }
});

t.test('trackStreams() splits the chunks by track, each in file order', async (t) => {
  const path = join(dir, 'h264-aac.mp4');
  const reference = await readAll(await Demuxer.open(path));
  const demuxer = await Demuxer.open(path);
  const streams = demuxer.trackStreams();
  t.equal(streams.length, 2);
  const perTrack = await Promise.all(
    streams.map(async (stream) => {
      const timestamps: number[] = [];
      for await (const chunk of stream) timestamps.push(chunk.timestamp);
      return timestamps;
    }),
  );
  perTrack.forEach((timestamps, track) => {
    t.same(timestamps, reference.filter((c) => c.track === track).map((c) => c.chunk.timestamp), `track ${track}`);
  });
});

t.test('track metadata: durations, time bases, sizes and rates', async (t) => {
  const demuxer = await Demuxer.open(join(dir, 'h264-aac.mp4'));
  demuxer.close();
  const [video, audio] = demuxer.tracks;
  t.match(video, { kind: 'video', width: 160, height: 96, frameRate: 30, duration: 500000, config: { codedWidth: 160, codedHeight: 96 } });
  t.match(audio, { kind: 'audio', sampleRate: 48000, numberOfChannels: 1, config: { sampleRate: 48000, numberOfChannels: 1 } });
  t.equal(audio!.timescale, 48000, 'the MP4 timescale of the audio track');
  t.equal(demuxer.format.name.includes('mp4'), true);
});
