// `webcodecs-streams info <file>`: the container and its tracks with their WebCodecs decoder
// configurations, as a table or as JSON.
import { Demuxer } from '../../containers/demuxer.js';
import type { DemuxerTrack } from '../../containers/demuxer-track.js';
import { stringOption, type ParsedArgs } from '../args.js';
import { CliError, EXIT } from '../exit-codes.js';

export const INFO_OPTIONS = { json: false, format: true } as const;

export const INFO_HELP = `Usage: webcodecs-streams info <file> [--json] [--format NAME]

Shows the container and every audio/video track: the WebCodecs codec string and the decoder
configuration a VideoDecoder/AudioDecoder needs (description bytes, size, sample rate, ...).
  <file>         a path, or - for standard input
  --json         print JSON (descriptions in base64)
  --format NAME  FFmpeg's input format name, when it cannot be guessed (e.g. h264, mpegts)`;

const seconds = (us: number | null): string => (us === null ? '?' : `${(us / 1e6).toFixed(2)} s`);

function details(track: DemuxerTrack): string {
  const description = track.config?.description;
  const setup = description !== undefined ? `, description ${description.byteLength} B` : '';
  if (track.kind === 'video') {
    const rate = track.frameRate !== null ? `, ${Number(track.frameRate.toFixed(3))} fps` : '';
    return `${track.width}x${track.height}${rate}${setup}`;
  }
  return `${track.sampleRate} Hz, ${track.numberOfChannels} ch${setup}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

function jsonTrack(track: DemuxerTrack): unknown {
  const description = track.config?.description;
  return {
    ...track,
    config: track.config && {
      ...track.config,
      ...(description !== undefined ? { description: Buffer.from(description).toString('base64') } : {}),
    },
  };
}

export async function info(args: ParsedArgs): Promise<void> {
  const [file, ...extra] = args.positionals;
  if (file === undefined || extra.length > 0) throw new CliError(EXIT.usage, 'info takes one file (see webcodecs-streams info --help)');
  const format = stringOption(args, 'format');
  const demuxer = await Demuxer.open(file === '-' ? process.stdin : file, format !== undefined ? { format } : {});
  demuxer.close();
  if (args.options.has('json')) {
    process.stdout.write(JSON.stringify({ file, format: demuxer.format, tracks: demuxer.tracks.map(jsonTrack) }, null, 2) + '\n');
    return;
  }
  const f = demuxer.format;
  const rate = f.bitRate > 0 ? `, ${Math.round(f.bitRate / 1000)} kb/s` : '';
  process.stdout.write(`${file}: ${f.longName || f.name} (${f.name}), ${seconds(f.duration)}${rate}\n`);
  if (demuxer.tracks.length === 0) {
    process.stdout.write('no audio or video tracks\n');
    return;
  }
  const rows = [['#', 'kind', 'codec', 'details', 'duration', 'frames']];
  for (const track of demuxer.tracks) {
    rows.push([
      String(track.index),
      track.kind,
      track.codec ?? `${track.codecName} (not WebCodecs)`,
      details(track),
      seconds(track.duration),
      track.frameCount === null ? '?' : String(track.frameCount),
    ]);
  }
  process.stdout.write(table(rows) + '\n');
}
