// The command line as a user meets it: exit codes and messages for missing files, unsupported
// codecs, corrupt input and Ctrl-C (with the partial output removed), and the info, codecs and
// demo commands. Runs the compiled CLI (dist/cli/index.js, the package's bin), which `npm test`
// builds first: loading the TypeScript source in every child process costs seconds each.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { codecSupport } from '../../src/cli/codec-support.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { AUDIO_IN, ffmpeg, ffprobe, mediaDir } from '../helpers/containers.js';

const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

/** The newest modification time under a directory. */
function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

t.before(() => {
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : -1;
  if (built < Math.max(newest(join(src, 'cli')), newest(join(src, 'containers')))) {
    throw new Error(`${CLI} is missing or older than src/cli or src/containers: run npm run build:ts (npm test does)`);
  }
});

const dir = mediaDir(t);
const input = ffmpeg(join(dir, 'in.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=size=160x96:rate=30', ...AUDIO_IN, '-t', '1', '-c:v', 'libx264', '-c:a', 'aac']);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('--help lists the commands and the exit codes', async (t) => {
  const { status, stdout } = cli('--help');
  t.equal(status, EXIT.ok);
  t.match(stdout, /transcode[\s\S]*info[\s\S]*demo[\s\S]*codecs/);
  t.match(stdout, /Exit codes:[\s\S]*3\s+input file not found[\s\S]*130\s+interrupted/);
  t.match(cli('transcode', '--help').stdout, /--video-codec h264\|hevc\|vp8\|vp9\|av1[\s\S]*Exit codes/);
  t.equal(cli().status, EXIT.usage, 'no command is a usage error');
  t.equal(cli('frobnicate').status, EXIT.usage);
  t.equal(cli('transcode', input, join(dir, 'x.mp4'), '--bogus').status, EXIT.usage);
});

t.test('a missing input file', async (t) => {
  const { status, stderr } = cli('transcode', join(dir, 'missing.mp4'), join(dir, 'out.mp4'));
  t.equal(status, EXIT.notFound);
  t.match(stderr, /no such file: .*missing\.mp4/);
  t.notOk(existsSync(join(dir, 'out.mp4')), 'no output left behind');
});

t.test('an unsupported codec names what is supported', async (t) => {
  const bad = cli('transcode', input, join(dir, 'out.mp4'), '--video-codec', 'theora');
  t.equal(bad.status, EXIT.unsupported);
  t.match(bad.stderr, /--video-codec theora is not supported; use one of: h264, hevc, vp8, vp9, av1/);

  const rows = await codecSupport();
  const encodable = rows.filter((r) => r.kind === 'video' && r.encode).map((r) => r.name);
  const missing = rows.find((r) => r.kind === 'video' && !r.encode);
  if (missing !== undefined) {
    const { status, stderr } = cli('transcode', input, join(dir, 'out.mkv'), '--video-codec', missing.name);
    t.equal(status, EXIT.unsupported, `${missing.name} cannot be encoded here`);
    t.match(stderr, new RegExp(`cannot encode ${missing.name}.*video codecs it can encode: ${encodable.join(', ')}`));
  } else {
    t.comment('this build encodes every video codec: only the unknown-name case applies');
  }
  const unfit = cli('transcode', input, join(dir, 'out.webm'), '--video-codec', 'h264');
  t.equal(unfit.status, EXIT.unsupported, 'a codec the format cannot hold');
  t.match(unfit.stderr, /webm format cannot hold h264/);
  t.notOk(existsSync(join(dir, 'out.webm')), 'the failed output is removed');
});

t.test('corrupt input', async (t) => {
  const garbage = join(dir, 'garbage.mp4');
  writeFileSync(garbage, Buffer.alloc(4000, 0x5a));
  const { status, stderr } = cli('transcode', garbage, join(dir, 'out.mp4'));
  t.equal(status, EXIT.corrupt);
  t.match(stderr, /garbage\.mp4 is not a media file FFmpeg can read, or it is corrupt or truncated/);
  t.equal(cli('info', garbage).status, EXIT.corrupt);
});

t.test('an output format that cannot be guessed', async (t) => {
  const { status, stderr } = cli('transcode', input, join(dir, 'out.xyz'));
  t.equal(status, EXIT.usage);
  t.match(stderr, /cannot tell the output format.*--format/);
});

t.test('transcode with --json reports progress and the result', async (t) => {
  const output = join(dir, 'out.mkv');
  const { status, stdout } = cli('transcode', input, output, '--json');
  t.equal(status, EXIT.ok);
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; video?: { frames: number } });
  t.ok(lines.some((l) => l.type === 'progress'), 'progress lines');
  t.match(lines.at(-1), { type: 'done', output, format: 'mkv', video: { frames: 30 } });
  t.equal(ffprobe(output).errors, '');
});

t.test('standard output: a streamable format, with --json progress moved to standard error', async (t) => {
  const result = spawnSync(process.execPath, [CLI, 'transcode', input, '-', '--format', 'mkv', '--json'], { maxBuffer: 64 << 20 });
  t.equal(result.status, EXIT.ok);
  const piped = join(dir, 'piped.mkv');
  writeFileSync(piped, result.stdout);
  const probe = ffprobe(piped);
  t.equal(probe.errors, '');
  t.same(probe.streams.map((s) => s.codec_name), ['h264', 'aac']);
  t.match(result.stderr.toString(), /"type":"done"/);
  const mp4 = cli('transcode', input, '-', '--format', 'mp4');
  t.equal(mp4.status, EXIT.usage, 'a format that seeks back cannot go to standard output');
  t.match(mp4.stderr, /cannot be written to standard output.*fmp4/);
});

/** Starts a transcode reading standard input, feeds it most of a long stream (keeping it open,
 * so the transcode cannot finish), waits for progress and the output file, then presses Ctrl-C. */
async function interrupt(t: Test, extra: string[]): Promise<{ status: number | null; stderr: string; output: string }> {
  const ts = join(dir, 'long.ts');
  if (!existsSync(ts)) ffmpeg(ts, ['-f', 'lavfi', '-i', 'testsrc2=size=160x96:rate=30', ...AUDIO_IN, '-t', '8', '-c:v', 'libx264', '-c:a', 'aac']);
  const output = join(dir, `interrupted-${extra.length}.mkv`);
  const child = spawn(process.execPath, [CLI, 'transcode', '-', output, '--json', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const bytes = readFileSync(ts);
  child.stdin.write(bytes.subarray(0, Math.floor(bytes.length * 0.8)));
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('"type":"progress"')) resolve();
    });
  });
  // The file appears once every track has its first chunk (the header needs them all).
  while (!existsSync(output)) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGINT');
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.destroy();
  return { status, stderr, output };
}

t.test('Ctrl-C stops cleanly and removes the partial output', async (t) => {
  const { status, stderr, output } = await interrupt(t, []);
  t.equal(status, EXIT.interrupted);
  t.match(stderr, /interrupted; removed the partial output/);
  t.notOk(existsSync(output), 'the partial output is gone');
});

t.test('Ctrl-C with --keep-partial keeps it', async (t) => {
  const { status, stderr, output } = await interrupt(t, ['--keep-partial']);
  t.equal(status, EXIT.interrupted);
  t.match(stderr, /interrupted; kept the partial output/);
  t.ok(existsSync(output) && statSync(output).size > 0, 'the partial output is kept');
});

t.test('info: a table, or JSON', async (t) => {
  const table = cli('info', input);
  t.equal(table.status, EXIT.ok);
  t.match(table.stdout, /0\s+video\s+avc1\.64000b\s+160x96, 30 fps, description \d+ B/);
  t.match(table.stdout, /1\s+audio\s+mp4a\.40\.2\s+48000 Hz, 1 ch/);
  const json = JSON.parse(cli('info', input, '--json').stdout) as { tracks: { codec: string; config: { description: string } }[] };
  t.same(json.tracks.map((track) => track.codec), ['avc1.64000b', 'mp4a.40.2']);
  t.equal(Buffer.from(json.tracks[0]!.config.description, 'base64')[0], 1, 'the avcC description, in base64');
  const piped = spawnSync(process.execPath, [CLI, 'info', '-', '--json'], { input: readFileSync(join(dir, 'out.mkv')), encoding: 'utf8' });
  t.equal(piped.status, EXIT.ok, 'info reads standard input');
});

t.test('codecs: the table from isConfigSupported', async (t) => {
  const { status, stdout } = cli('codecs');
  t.equal(status, EXIT.ok);
  t.match(stdout, /h264\s+video\s+avc1\.\w+\s+yes\s+yes/);
  t.match(stdout, /aac\s+audio\s+mp4a\.40\.2\s+yes\s+yes/);
  const rows = JSON.parse(cli('codecs', '--json').stdout) as { name: string }[];
  t.same(rows.map((r) => r.name), ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'aac', 'opus', 'flac', 'mp3', 'vorbis']);
});

t.test('demo: a test pattern and a tone, and where they went', async (t) => {
  const output = join(dir, 'demo.mp4');
  const { status, stdout } = cli('demo', '--output', output, '--seconds', '1');
  t.equal(status, EXIT.ok);
  t.match(stdout, new RegExp(`wrote ${output.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\): 30 frames of H\\.264`));
  const probe = ffprobe(output);
  t.equal(probe.errors, '');
  t.same(probe.streams.map((s) => s.codec_name), ['h264', 'aac']);
});
