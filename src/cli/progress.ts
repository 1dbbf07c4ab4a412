// Progress of a transcode: a bar with frames, fps, speed and ETA on a terminal, a plain line now
// and then otherwise, or one JSON object per line (--json) for scripts.
export type ProgressMode = 'tty' | 'plain' | 'json';

export interface ProgressSnapshot {
  /** Video frames written (or audio chunks, for audio-only outputs). */
  frames: number;
  /** Media time written so far, in microseconds. */
  mediaTime: number;
  /** The input's duration in microseconds, when known. */
  duration: number | null;
}

// How often each mode prints (milliseconds): a bar redraws smoothly, log lines stay few.
const INTERVAL: Readonly<Record<ProgressMode, number>> = { tty: 100, plain: 2000, json: 500 };
const BAR_WIDTH = 24;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressReporter {
  readonly #mode: ProgressMode;
  /** Where JSON lines go: standard output, unless the media itself goes there. */
  readonly #json: NodeJS.WritableStream;
  readonly #start = performance.now();
  #lastPrint = -Infinity;
  #drawn = false;

  constructor(mode: ProgressMode, json: NodeJS.WritableStream = process.stdout) {
    this.#mode = mode;
    this.#json = json;
  }

  static modeFor(json: boolean): ProgressMode {
    return json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain';
  }

  update(snapshot: ProgressSnapshot): void {
    const now = performance.now();
    if (now - this.#lastPrint < INTERVAL[this.#mode]) return;
    this.#lastPrint = now;
    this.#print(snapshot, now);
  }

  /** The last update, then the line is finished (the bar stays on screen). */
  finish(snapshot: ProgressSnapshot): void {
    this.#print(snapshot, performance.now());
    if (this.#mode === 'tty' && this.#drawn) process.stderr.write('\n');
  }

  /** Leaves the bar's line before another message is printed. */
  interrupt(): void {
    if (this.#mode === 'tty' && this.#drawn) process.stderr.write('\n');
    this.#drawn = false;
  }

  #print(snapshot: ProgressSnapshot, now: number): void {
    const elapsed = Math.max((now - this.#start) / 1000, 1e-3);
    const fps = snapshot.frames / elapsed;
    const speed = snapshot.mediaTime / 1e6 / elapsed;
    const fraction = snapshot.duration ? Math.min(1, Math.max(0, snapshot.mediaTime / snapshot.duration)) : null;
    const eta = snapshot.duration && speed > 0 ? (snapshot.duration - snapshot.mediaTime) / 1e6 / speed : NaN;
    switch (this.#mode) {
      case 'json':
        this.#json.write(
          JSON.stringify({
            type: 'progress',
            frames: snapshot.frames,
            fps: Number(fps.toFixed(2)),
            speed: Number(speed.toFixed(3)),
            time: snapshot.mediaTime / 1e6,
            percent: fraction === null ? null : Number((fraction * 100).toFixed(1)),
            eta: Number.isFinite(eta) ? Number(eta.toFixed(1)) : null,
          }) + '\n',
        );
        return;
      case 'tty': {
        const filled = fraction === null ? 0 : Math.round(fraction * BAR_WIDTH);
        const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
        const percent = fraction === null ? '  ?%' : `${Math.floor(fraction * 100)}%`.padStart(4);
        process.stderr.write(
          `\r${bar} ${percent}  ${snapshot.frames} frames  ${fps.toFixed(1)} fps  ${speed.toFixed(2)}x  ETA ${clock(eta)}\x1b[K`,
        );
        this.#drawn = true;
        return;
      }
      case 'plain':
        process.stderr.write(
          `progress: ${fraction === null ? '?' : Math.floor(fraction * 100)}% ${snapshot.frames} frames, ${fps.toFixed(1)} fps, ` +
            `${speed.toFixed(2)}x, ETA ${clock(eta)}\n`,
        );
    }
  }
}
