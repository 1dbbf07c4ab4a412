// Decode timestamps for a video track whose chunks arrive in decode order with presentation
// timestamps only (what WebCodecs encoders output). Muxers need a dts per packet, strictly
// increasing and never after its pts. With B-frames the pts sequence is reordered, e.g.
// I0 P3 B1 B2: the dts of the i-th packet is the (i - delay)-th smallest pts, where `delay` is
// how many packets the reordering holds back (1 here: dts -1 0 1 2), as encoders themselves do.
//
// The delay is measured on the first WINDOW packets (buffered until then), but never taken below
// `minimumDelay`: an encoder may start without B-frames and use them later (x264's adaptive
// B-frames do), and a delay larger than needed only starts the dts earlier, which every muxer
// accepts. After the window each packet's dts is known when it arrives. Memory: at most WINDOW
// packets of one track.

/** Packets held before the first dts is decided: deeper than any B-pyramid x264/x265 make. */
export const WINDOW = 16;

export interface Timed<T> {
  item: T;
  pts: number;
  dts: number;
}

export class DecodeTimestamps<T> {
  readonly #held: { item: T; pts: number; duration: number | null }[] = [];
  /** pts values seen and not yet used as a dts, ascending. */
  readonly #unused: number[] = [];
  #delay = -1;
  #index = 0;
  #first = 0;
  #step = 1;
  #lastDts = -Infinity;
  readonly #minimumDelay: number;

  constructor(minimumDelay = 0) {
    this.#minimumDelay = minimumDelay;
  }

  /** Returns the packets whose dts is now known, in decode order. */
  push(item: T, pts: number, duration: number | null): Timed<T>[] {
    this.#insert(pts);
    if (this.#delay >= 0) return [this.#assign(item, pts)];
    this.#held.push({ item, pts, duration });
    return this.#held.length >= WINDOW ? this.#decide() : [];
  }

  /** The packets still held (a stream shorter than the window). */
  flush(): Timed<T>[] {
    return this.#delay >= 0 ? [] : this.#decide();
  }

  #decide(): Timed<T>[] {
    const held = this.#held.splice(0);
    const sorted = held.map((p) => p.pts).sort((a, b) => a - b);
    // delay = the most positions a packet sits after its place in presentation order.
    this.#delay = Math.max(this.#minimumDelay, ...held.map((p, i) => i - sorted.indexOf(p.pts)));
    this.#first = sorted[0] ?? 0;
    this.#step = held[0]?.duration ?? (sorted.length > 1 ? sorted[1]! - sorted[0]! : 1);
    if (!(this.#step > 0)) this.#step = 1;
    return held.map((p) => this.#assign(p.item, p.pts));
  }

  #assign(item: T, pts: number): Timed<T> {
    const i = this.#index++;
    // The first `delay` packets come before any presentation time: extrapolate backwards.
    let dts = i < this.#delay ? this.#first - (this.#delay - i) * this.#step : this.#unused.shift()!;
    dts = Math.max(Math.min(dts, pts), this.#lastDts + 1);
    if (dts > pts) {
      throw new RangeError(
        `chunk at ${pts} µs comes after a chunk at ${this.#lastDts} µs in decode order with no room for a decode timestamp; ` +
          `B-frame reordering is deeper than the muxer's window of ${WINDOW} chunks`,
      );
    }
    this.#lastDts = dts;
    return { item, pts, dts };
  }

  #insert(pts: number): void {
    let lo = 0;
    let hi = this.#unused.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#unused[mid]! < pts) lo = mid + 1;
      else hi = mid;
    }
    this.#unused.splice(lo, 0, pts);
  }
}
