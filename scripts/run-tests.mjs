#!/usr/bin/env node
// Runs the tap suite and ends with one plain summary line ("N passed, N failed") that CI and
// people can read at a glance; the exit code is tap's.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tapBin = join(dirname(require.resolve('tap/package.json')), 'dist', 'esm', 'run.mjs');
const child = spawn(process.execPath, [tapBin, ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (data) => {
  process.stdout.write(data);
  tail = (tail + data.toString()).slice(-4096);
});
child.on('close', (code, signal) => {
  const match = /#\s*\{\s*total:\s*(\d+),\s*pass:\s*(\d+)(?:,\s*fail:\s*(\d+))?/.exec(tail);
  if (match) {
    const failed = Number(match[3] ?? 0);
    const skipped = Number(match[1]) - Number(match[2]) - failed;
    console.log(`\n${match[2]} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  } else {
    console.log('\n0 passed, 1 failed (tap printed no summary)');
  }
  process.exit(code ?? (signal ? 1 : 0));
});
