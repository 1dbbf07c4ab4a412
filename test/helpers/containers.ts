// Test media for the container tests, made by the ffmpeg CLI in a temporary directory, and what
// ffprobe says about it (the reference our demuxer and muxer are checked against).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Demuxer, type DemuxedChunk } from '../../src/containers/index.js';
import { EncodedVideoChunk, type EncodedVideoChunkMetadata, type VideoDecoderConfig } from '../../src/index.js';

/** A temporary directory removed when the test file ends. */
export function mediaDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'wcs-containers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Small and short: these run on a shared 2-core machine.
export const VIDEO_IN = ['-f', 'lavfi', '-i', 'testsrc2=size=160x96:rate=30'];
export const AUDIO_IN = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
export const AUDIO_44K_IN = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];

export function ffmpeg(path: string, args: string[]): string {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, path], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path;
}

export interface ProbeStream {
  index: number;
  codec_type: string;
  codec_name: string;
  time_base: string;
  duration?: string;
}

export interface ProbePacket {
  stream_index: number;
  pts?: number;
  dts?: number;
  duration?: number;
  flags: string;
}

export interface Probe {
  streams: ProbeStream[];
  packets: ProbePacket[];
  format: { duration?: string; format_name: string };
  /** What ffprobe complained about (empty for a clean file). */
  errors: string;
}

export function ffprobe(path: string): Probe {
  const result = spawnSync('ffprobe', ['-v', 'error', '-show_packets', '-show_streams', '-show_format', '-of', 'json', path], {
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`ffprobe failed on ${path}: ${result.stderr.toString()}`);
  const parsed = JSON.parse(result.stdout.toString()) as Omit<Probe, 'errors'>;
  return { ...parsed, packets: parsed.packets ?? [], errors: result.stderr.toString() };
}

/** ticks x time base in microseconds, rounded to nearest (halves away from zero), as
 * av_rescale_q does: exact, in integers. */
export function microseconds(ticks: number, timeBase: string): number {
  const [num, den] = timeBase.split('/').map((x) => BigInt(x)) as [bigint, bigint];
  const product = BigInt(ticks) * num * 1_000_000n;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs * 2n + den) / (2n * den);
  return Number(negative ? -rounded : rounded);
}

/** The packets ffprobe lists for one stream, with the timestamp our demuxer should give each:
 * pts, else dts, else (elementary streams carry none) the sum of the durations before it. */
export function expectedPackets(probe: Probe, streamIndex: number): { timestamp: number; key: boolean }[] {
  const stream = probe.streams.find((s) => s.index === streamIndex)!;
  let next = 0;
  return probe.packets
    .filter((p) => p.stream_index === streamIndex)
    .map((p) => {
      const ticks = p.pts ?? p.dts ?? next;
      next = ticks + (p.duration ?? 0);
      return { timestamp: microseconds(ticks, stream.time_base), key: p.flags.includes('K') };
    });
}

export async function readAll(demuxer: Demuxer): Promise<DemuxedChunk[]> {
  const chunks: DemuxedChunk[] = [];
  for await (const item of demuxer.readable) chunks.push(item);
  return chunks;
}

/** H.264 with B-frames made by the ffmpeg CLI (libx264's defaults reorder), demuxed: fresh
 * EncodedVideoChunks in decode order carrying presentation timestamps only, as an encoder that
 * reorders would give them (our own encoders emit presentation order, as browsers do). */
export async function reorderedH264(
  t: Test,
  frames: number,
): Promise<{ chunks: EncodedVideoChunk[]; metadata: EncodedVideoChunkMetadata; decoderConfig: VideoDecoderConfig }> {
  const path = ffmpeg(join(mediaDir(t), 'bframes.mp4'), [...VIDEO_IN, '-frames:v', String(frames), '-c:v', 'libx264', '-profile:v', 'high', '-bf', '3', '-pix_fmt', 'yuv420p']);
  const demuxer = await Demuxer.open(path);
  const track = demuxer.tracks[0]!;
  if (track.kind !== 'video' || track.config === null) throw new Error('no H.264 track');
  const config = track.config;
  const chunks = (await readAll(demuxer)).map(({ chunk }) => {
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    return new EncodedVideoChunk({ type: chunk.type, timestamp: chunk.timestamp, ...(chunk.duration !== null ? { duration: chunk.duration } : {}), data });
  });
  const decoderConfig: VideoDecoderConfig = { ...config };
  return { chunks, metadata: { decoderConfig }, decoderConfig };
}
