// Runs a script in a child Node process, so that a crash (a signal such as SIGSEGV or SIGABRT)
// or a hang is reported as a failed assertion instead of taking the tap process down or running
// into tap's own timeout. Scripts import the built package (dist/, which `npm test` builds first)
// and print one `RESULT {json}` line.
//
// A hang is bounded by the child's timeout, never by a timing assertion: the timeouts are ten
// times what the work takes on a loaded 2-core machine; RELIABILITY_TIMEOUT_FACTOR multiplies
// them (sanitizer builds run several times slower).
//
// Run directly (tap runs it too), this file checks that the runner does report crashes and hangs.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Test } from 'tap';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Import specifiers for child scripts. */
export const DIST = pathToFileURL(join(root, 'dist', 'index.js')).href;
export const TESTING = pathToFileURL(join(root, 'dist', 'testing.js')).href;

export const TIMEOUT_FACTOR = Math.max(1, Number(process.env.RELIABILITY_TIMEOUT_FACTOR ?? '1') || 1);

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The parsed `RESULT {...}` line, or null when the child printed none. */
  result: Record<string, unknown> | null;
}

export interface ChildOptions {
  /** Node options before the script (e.g. --expose-gc). */
  nodeArgs?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
}

export function runChild(source: string, options: ChildOptions = {}): Promise<ChildResult> {
  const timeoutMs = (options.timeoutMs ?? 120_000) * TIMEOUT_FACTOR;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '-e', source], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      let result: Record<string, unknown> | null = null;
      if (line !== undefined) {
        try {
          result = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
        } catch {
          result = null;
        }
      }
      resolve({ status, signal, timedOut, stdout, stderr, result });
    });
  });
}

/** One line that says how a child ended, for assertion messages. */
export function describe(result: ChildResult): string {
  const how = result.timedOut ? 'was killed after its timeout (hang)' : result.signal !== null ? `crashed with ${result.signal}` : `exited with ${result.status}`;
  const tail = result.stderr.trim().split('\n').slice(-15).join('\n');
  return `child ${how}${tail ? `; stderr:\n${tail}` : ''}`;
}

/** Native trouble a child reported on stderr without dying: sanitizer reports (when run by
 * scripts/sanitize.sh with halt_on_error=0), failed assertions, fatal errors. Empty when none. */
export function nativeReports(stderr: string): string[] {
  const pattern = /(ERROR: AddressSanitizer|WARNING: ThreadSanitizer|ERROR: LeakSanitizer|(\S+:\d+:\d+: )?runtime error:|Assertion .* failed|FATAL ERROR|Segmentation fault|double free|free\(\): |terminate called)[^\n]*/g;
  return [...new Set(stderr.match(pattern) ?? [])];
}

/** A clean end: exit code 0, no signal, no timeout, and the RESULT line printed. */
export function endedCleanly(result: ChildResult): boolean {
  return result.status === 0 && result.signal === null && !result.timedOut && result.result !== null;
}

/** Runs a fuzzing child (it prints `SEED n` first and `CASE ...` before each case) and asserts it
 * ended cleanly without native reports, naming the seed to replay and the last case on failure.
 * Returns what the child reported (its RESULT line), or null. */
export async function runFuzzChild(t: Test, source: string): Promise<Record<string, unknown> | null> {
  const result = await runChild(source, { timeoutMs: 300_000 });
  const lastCase = result.stdout.split('\n').filter((l) => l.startsWith('CASE ')).at(-1);
  const seed = /^SEED (-?\d+)/m.exec(result.stdout)?.[1];
  const clean = endedCleanly(result);
  t.ok(clean, clean ? `child exited cleanly (seed ${seed})` : `${describe(result)}\nseed ${seed} (replay: RELIABILITY_SEED=${seed}); last case: ${lastCase}`);
  t.same(nativeReports(result.stderr), [], `no native error or sanitizer report (last case: ${lastCase})`);
  return result.result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { default: t } = await import('tap');
  t.test('the runner reports a crash as a signal, not as a dead tap process', async (t) => {
    const r = await runChild('process.abort()');
    t.equal(r.signal, 'SIGABRT', describe(r));
    t.notOk(endedCleanly(r));
  });
  t.test('the runner reports a hang as a timeout', async (t) => {
    const r = await runChild('setInterval(() => {}, 1000)', { timeoutMs: 500 });
    t.ok(r.timedOut, describe(r));
  });
  t.test('the runner parses the RESULT line', async (t) => {
    const r = await runChild(`console.log('RESULT ' + JSON.stringify({ ok: 1 }))`);
    t.ok(endedCleanly(r), describe(r));
    t.same(r.result, { ok: 1 });
  });
}
