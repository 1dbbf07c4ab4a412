// ImageTrack and ImageTrackList (spec "ImageTrackList Interface", "ImageTrack Interface"). Both
// are created and updated by their ImageDecoder only: the functions that reach their internal
// slots are exported from this module for image-decoder.ts, not from the package.

/** What a track needs from the ImageDecoder that created it. */
export interface ImageTrackOwner {
  /** The decoder's [[closed]]. */
  readonly closed: boolean;
  /** The selected setter's steps 10-12: Reset ImageDecoder, then queue the control message that
   * updates the internal selected track index. */
  selectTrack(selectedIndex: number): void;
}

export interface ImageTrackInit {
  animated: boolean;
  frameCount: number;
  repetitionCount: number;
}

/** Guards the constructors: only ImageDecoder makes tracks and track lists, as in browsers. */
const internal = Symbol('internal');

let setTrackFrameCount: (track: ImageTrack, frameCount: number) => void;
let setTrackSelected: (track: ImageTrack, selected: boolean) => void;
let newTrack: (owner: ImageTrackOwner, list: ImageTrackList, init: ImageTrackInit) => ImageTrack;

export class ImageTrack {
  readonly #owner: ImageTrackOwner;
  readonly #list: ImageTrackList;
  readonly #animated: boolean;
  #frameCount: number;
  readonly #repetitionCount: number;
  #selected = false;

  private constructor(token: symbol, owner: ImageTrackOwner, list: ImageTrackList, init: ImageTrackInit) {
    if (token !== internal) throw new TypeError('Illegal constructor: ImageTrack objects come from ImageDecoder.tracks');
    this.#owner = owner;
    this.#list = list;
    this.#animated = init.animated;
    this.#frameCount = init.frameCount;
    this.#repetitionCount = init.repetitionCount;
  }

  static {
    newTrack = (owner, list, init) => new ImageTrack(internal, owner, list, init);
    setTrackFrameCount = (track, frameCount) => {
      track.#frameCount = frameCount;
    };
    setTrackSelected = (track, selected) => {
      track.#selected = selected;
    };
  }

  /** Whether the track is an animation (an early hint that frameCount will exceed 1). */
  get animated(): boolean {
    return this.#animated;
  }

  /** Frames found so far; grows while a streamed image arrives. */
  get frameCount(): number {
    return this.#frameCount;
  }

  /** How many times the animation repeats after playing once; Infinity loops forever. */
  get repetitionCount(): number {
    return this.#repetitionCount;
  }

  get selected(): boolean {
    return this.#selected;
  }

  set selected(value: boolean) {
    if (this.#owner.closed) return;
    const newValue = Boolean(value);
    if (newValue === this.#selected) return;
    this.#selected = newValue;
    const list = this.#list;
    const oldSelectedIndex = list.selectedIndex;
    if (oldSelectedIndex !== -1) list[oldSelectedIndex]!.#selected = false;
    const selectedIndex = newValue ? Array.prototype.indexOf.call(list, this) : -1;
    setSelectedIndex(list, selectedIndex);
    this.#owner.selectTrack(selectedIndex);
  }

  get [Symbol.toStringTag](): string {
    return 'ImageTrack';
  }
}

let setSelectedIndex: (list: ImageTrackList, index: number) => void;
let assignTracks: (list: ImageTrackList, tracks: ImageTrack[], selectedIndex: number) => void;
let closeTrackList: (list: ImageTrackList, exception: unknown) => void;
let newTrackList: () => ImageTrackList;

export class ImageTrackList {
  /** The tracks, by index (WebIDL indexed getter); absent until `ready` resolves. */
  [index: number]: ImageTrack;

  #tracks: ImageTrack[] = [];
  #selectedIndex = -1;
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (reason: unknown) => void;
  #settled = false;

  private constructor(token: symbol) {
    if (token !== internal) throw new TypeError('Illegal constructor: ImageTrackList objects come from ImageDecoder.tracks');
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // A decoder closed before its tracks are known rejects `ready`. Browsers only log an
    // unobserved rejection; Node would end the process, so it counts as handled here. Code that
    // awaits `ready` still sees it.
    this.#ready.catch(() => {});
  }

  static {
    newTrackList = () => new ImageTrackList(internal);
    setSelectedIndex = (list, index) => {
      list.#selectedIndex = index;
    };
    assignTracks = (list, tracks, selectedIndex) => {
      list.#tracks = tracks;
      list.#selectedIndex = selectedIndex;
      tracks.forEach((track, index) => {
        Object.defineProperty(list, index, { get: () => list.#tracks[index], enumerable: true, configurable: true });
      });
      list.#settled = true;
      list.#resolveReady();
    };
    closeTrackList = (list, exception) => {
      if (!list.#settled) {
        list.#settled = true;
        list.#rejectReady(exception);
        return;
      }
      for (let index = 0; index < list.#tracks.length; index++) delete list[index];
      list.#tracks = [];
      list.#selectedIndex = -1;
    };
  }

  /** Resolves once the tracks are known; rejects if the decoder closes first. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get length(): number {
    return this.#tracks.length;
  }

  /** The selected track's index, or -1 when none is selected (or the tracks are not known yet). */
  get selectedIndex(): number {
    return this.#selectedIndex;
  }

  get selectedTrack(): ImageTrack | null {
    return this.#selectedIndex === -1 ? null : (this.#tracks[this.#selectedIndex] ?? null);
  }

  /** An indexed getter with a `length` makes the list iterable (WebIDL). */
  [Symbol.iterator](): ArrayIterator<ImageTrack> {
    return this.#tracks.values();
  }

  get [Symbol.toStringTag](): string {
    return 'ImageTrackList';
  }
}

// --- for ImageDecoder only ------------------------------------------------------------------------

export function createImageTrackList(): ImageTrackList {
  return newTrackList();
}

export function createImageTrack(owner: ImageTrackOwner, list: ImageTrackList, init: ImageTrackInit): ImageTrack {
  return newTrack(owner, list, init);
}

/** Establish Tracks, step 10 (the queued task): the list gets its tracks, `ready` resolves. */
export function establishTrackList(list: ImageTrackList, tracks: ImageTrack[], selectedIndex: number): void {
  if (selectedIndex !== -1) setTrackSelected(tracks[selectedIndex]!, true);
  assignTracks(list, tracks, selectedIndex);
}

/** Update Tracks, step 6. */
export function updateTrackFrameCount(track: ImageTrack, frameCount: number): void {
  setTrackFrameCount(track, frameCount);
}

/** Close ImageDecoder, step 3: reject `ready` if no tracks were found, else empty the list. */
export function closeImageTrackList(list: ImageTrackList, exception: unknown): void {
  closeTrackList(list, exception);
}
