// Every stream example runs as its own process against the built package (dist/) and exits 0.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = ['encode-raw-file.mjs', 'transcode.mjs', 'live-relay.mjs'];

function run(script: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('examples', script)], { cwd: root, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data));
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

t.before(() => {
  if (!existsSync(join(root, 'dist', 'streams', 'index.js'))) {
    throw new Error('dist/ has no streams: build it first with `npx tsc -p tsconfig.json` (npm test does)');
  }
});

for (const script of examples) {
  t.test(`examples/${script} runs and exits 0`, async (t) => {
    const result = await run(script);
    t.equal(result.signal, null, 'not killed by the timeout');
    t.equal(result.code, 0, result.stderr);
    t.match(result.stdout, /frames alive (now|at most: \d+; now): 0/, 'and says it left no frame alive');
  });
}
