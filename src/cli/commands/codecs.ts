// `webcodecs-streams codecs`: what this machine can encode and decode, from isConfigSupported().
import type { ParsedArgs } from '../args.js';
import { codecSupport } from '../codec-support.js';

export const CODECS_OPTIONS = { json: false } as const;

export const CODECS_HELP = `Usage: webcodecs-streams codecs [--json]

Lists the codecs transcode can use, asking this machine's FFmpeg through isConfigSupported()
(640x360 at 30 fps for video, 48 kHz stereo for audio).`;

const mark = (value: boolean | null): string => (value === null ? '?' : value ? 'yes' : 'no');

export async function codecs(args: ParsedArgs): Promise<void> {
  const rows = await codecSupport();
  if (args.options.has('json')) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const header = ['name', 'kind', 'codec string', 'encode', 'decode'];
  const cells = [header, ...rows.map((r) => [r.name, r.kind, r.codec, mark(r.encode), mark(r.decode)])];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  for (const r of cells) process.stdout.write(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd() + '\n');
}
