#!/usr/bin/env node
// Builds the native addon with cmake-js against the system FFmpeg.
// Runs as the package's install script: it checks the prerequisites first so that a missing
// library stops the build with one message naming exactly what to install, instead of a
// page of compiler errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const sanitize = process.env.WEBCODECS_SANITIZE ?? '';

const FFMPEG_MODULES = [
  ['libavcodec', '59.37.100'],
  ['libavformat', '59.27.100'],
  ['libavutil', '57.28.100'],
  ['libswscale', '6.7.100'],
  ['libswresample', '4.7.100'],
];
// Codec libraries used directly for what FFmpeg 5.1's wrappers do not expose (per-frame
// quantizers, temporal layers, Opus DTX and signal type); the same libraries FFmpeg links.
const CODEC_MODULES = [
  ['x264', '0.155'],
  ['aom', '3.0.0'],
  ['opus', '1.3'],
];
const DEBIAN_PACKAGES = 'cmake pkg-config g++ libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libx264-dev libaom-dev libopus-dev';
const HOMEBREW_PACKAGES = 'cmake pkg-config ffmpeg x264 aom opus';

function fail(what) {
  console.error(
    `\nwebcodecs-streams: cannot build the native addon: ${what}\n` +
      `  Debian/Ubuntu: sudo apt-get install -y ${DEBIAN_PACKAGES}\n` +
      `  macOS:         brew install ${HOMEBREW_PACKAGES}\n` +
      `  or run:        bash scripts/setup.sh   (installs what is missing, then builds)\n`,
  );
  process.exit(1);
}

function has(command, args = ['--version']) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

if (!has('cmake')) fail('cmake is not installed.');
if (!has('pkg-config')) fail('pkg-config is not installed.');
const missing = FFMPEG_MODULES.filter(([name, min]) => !has('pkg-config', [`--atleast-version=${min}`, name]));
if (missing.length > 0) {
  fail(`FFmpeg >= 5.1 development files not found (${missing.map(([n]) => n).join(', ')}).`);
}
const missingCodecs = CODEC_MODULES.filter(([name, min]) => !has('pkg-config', [`--atleast-version=${min}`, name]));
if (missingCodecs.length > 0) {
  fail(`codec library development files not found (${missingCodecs.map(([n]) => n).join(', ')}).`);
}

const addon = join(root, 'build', 'Release', 'webcodecs_streams.node');
if (!force && existsSync(addon) && !process.env.npm_config_build_from_source) {
  // Already built (e.g. by scripts/setup.sh); `npm run build:native` rebuilds.
  console.log(`webcodecs-streams: native addon present at ${addon}`);
  process.exit(0);
}

// One build at a time in this tree: concurrent cmake runs in the same build directory corrupt it.
const lockDir = join(root, 'build', '.build-lock');
mkdirSync(join(root, 'build'), { recursive: true });
for (let waited = 0; ; waited++) {
  try {
    mkdirSync(lockDir);
    break;
  } catch {
    if (waited === 0) console.log('webcodecs-streams: waiting for another build of this tree to finish');
    if (waited > 1800) rmSync(lockDir, { recursive: true, force: true }); // stale lock (> 15 min)
    spawnSync('sleep', ['0.5']);
  }
}
process.on('exit', () => rmSync(lockDir, { recursive: true, force: true }));

const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const args = [cmakeJs, 'compile', '--directory', root, '--out', join(root, 'build')];
if (sanitize) args.push(`--CDWEBCODECS_SANITIZE=${sanitize}`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
if (result.status !== 0) {
  rmSync(lockDir, { recursive: true, force: true });
  fail('the compiler failed (see the messages above).');
}
