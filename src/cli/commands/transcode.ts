// `webcodecs-streams transcode <in> <out>`: arguments, progress, Ctrl-C and the partial output.
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import { isMuxerFormat, MUXER_FORMATS } from '../../containers/muxer-formats.js';
import { numberOption, sizeOption, stringOption, type ParsedArgs } from '../args.js';
import { AUDIO_CODEC_NAMES, VIDEO_CODEC_NAMES, type AudioCodecName, type VideoCodecName } from '../codec-choices.js';
import { CliError, EXIT } from '../exit-codes.js';
import { ProgressReporter } from '../progress.js';
import { transcode as runTranscode } from '../transcode.js';

export const TRANSCODE_OPTIONS = {
  'video-codec': true,
  'audio-codec': true,
  bitrate: true,
  'audio-bitrate': true,
  size: true,
  fps: true,
  format: true,
  json: false,
  'keep-partial': false,
} as const;

export const TRANSCODE_HELP = `Usage: webcodecs-streams transcode <in> <out> [options]

Decodes <in> and encodes it again into <out>, with this library's demuxer, WebCodecs decoders
and encoders, and muxer. <in> may be - (standard input: MPEG-TS, WebM, Matroska, fragmented MP4,
Ogg...); <out> may be - (standard output) with a streamable --format.
  --video-codec h264|hevc|vp8|vp9|av1   default: by output format (MP4/MKV/TS: h264, WebM: vp9)
  --audio-codec aac|opus|flac|mp3|vorbis default: by output format (MP4/MKV/TS: aac, WebM/Ogg: opus)
  --bitrate N[k|M]        video bit rate (bits per second)
  --audio-bitrate N[k|M]  audio bit rate
  --size WxH              output picture size (scaled)
  --fps N                 output frame rate (frames dropped or repeated)
  --format NAME           output format, when the extension does not say: ${Object.keys(MUXER_FORMATS).join(', ')}
  --json                  progress and result as JSON lines on standard output
  --keep-partial          keep the partial output when interrupted or failing`;

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(EXIT.unsupported, `--${name} ${value} is not supported; use one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

export async function transcode(args: ParsedArgs): Promise<void> {
  const [input, output, ...extra] = args.positionals;
  if (input === undefined || output === undefined || extra.length > 0) {
    throw new CliError(EXIT.usage, 'transcode takes an input and an output (see webcodecs-streams transcode --help)');
  }
  const format = stringOption(args, 'format');
  if (format !== undefined && !isMuxerFormat(format)) {
    throw new CliError(EXIT.unsupported, `--format ${format} is not supported; use one of: ${Object.keys(MUXER_FORMATS).join(', ')}`);
  }
  const json = args.options.has('json');
  const messages = output === '-' ? process.stderr : process.stdout;
  const progress = new ProgressReporter(ProgressReporter.modeFor(json), messages);
  const aborter = new AbortController();
  // Every stage of the pipeline listens to the one signal.
  setMaxListeners(64, aborter.signal);
  // Ctrl-C stops the pipeline (which closes every codec and the output file) instead of killing
  // the process mid-write; a second Ctrl-C exits at once.
  const onInterrupt = (): void => {
    if (aborter.signal.aborted) process.exit(EXIT.interrupted);
    aborter.abort(new CliError(EXIT.interrupted, 'interrupted'));
  };
  process.on('SIGINT', onInterrupt);
  let last = { frames: 0, mediaTime: 0, duration: null as number | null };
  try {
    const result = await runTranscode({
      input,
      output,
      ...(format !== undefined ? { format } : {}),
      ...optional('videoCodec', choice<VideoCodecName>(args, 'video-codec', VIDEO_CODEC_NAMES)),
      ...optional('audioCodec', choice<AudioCodecName>(args, 'audio-codec', AUDIO_CODEC_NAMES)),
      ...optional('bitrate', numberOption(args, 'bitrate')),
      ...optional('audioBitrate', numberOption(args, 'audio-bitrate')),
      ...optional('size', sizeOption(args, 'size')),
      ...optional('fps', numberOption(args, 'fps')),
      signal: aborter.signal,
      onProgress: (snapshot) => {
        last = snapshot;
        progress.update(snapshot);
      },
    });
    progress.finish(last);
    if (json) {
      messages.write(JSON.stringify({ type: 'done', output, ...result, duration: result.duration / 1e6 }) + '\n');
    } else {
      const parts = [result.video && `${result.video.frames} frames of ${result.video.codec}`, result.audio && `${result.audio.chunks} ${result.audio.codec} packets`];
      process.stderr.write(`wrote ${output} (${result.format}): ${parts.filter(Boolean).join(' + ')}, ${(result.duration / 1e6).toFixed(2)} s\n`);
    }
  } catch (error) {
    progress.interrupt();
    const interrupted = aborter.signal.aborted;
    if (output !== '-' && !args.options.has('keep-partial')) rmSync(output, { force: true });
    if (interrupted) {
      const kept = args.options.has('keep-partial') ? `kept the partial output ${output}` : `removed the partial output ${output}`;
      throw new CliError(EXIT.interrupted, `interrupted; ${output === '-' ? 'stopped' : kept}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
