// DOMRectReadOnly for VideoFrame.codedRect/visibleRect. Node has no DOM geometry classes; when a
// global one exists (a DOM shim loaded first) it is used so instanceof checks keep working.

export interface DOMRectInit {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
}

class NodeDOMRectReadOnly {
  readonly #x: number;
  readonly #y: number;
  readonly #width: number;
  readonly #height: number;

  constructor(x = 0, y = 0, width = 0, height = 0) {
    this.#x = Number(x);
    this.#y = Number(y);
    this.#width = Number(width);
    this.#height = Number(height);
  }

  static fromRect(other: DOMRectInit = {}): NodeDOMRectReadOnly {
    return new NodeDOMRectReadOnly(other.x, other.y, other.width, other.height);
  }

  get x(): number {
    return this.#x;
  }
  get y(): number {
    return this.#y;
  }
  get width(): number {
    return this.#width;
  }
  get height(): number {
    return this.#height;
  }
  get top(): number {
    return Math.min(this.#y, this.#y + this.#height);
  }
  get right(): number {
    return Math.max(this.#x, this.#x + this.#width);
  }
  get bottom(): number {
    return Math.max(this.#y, this.#y + this.#height);
  }
  get left(): number {
    return Math.min(this.#x, this.#x + this.#width);
  }

  toJSON(): Required<DOMRectInit> & { top: number; right: number; bottom: number; left: number } {
    return {
      x: this.x,
      y: this.y,
      width: this.width,
      height: this.height,
      top: this.top,
      right: this.right,
      bottom: this.bottom,
      left: this.left,
    };
  }

  get [Symbol.toStringTag](): string {
    return 'DOMRectReadOnly';
  }
}

type DOMRectReadOnlyConstructor = new (x?: number, y?: number, width?: number, height?: number) => NodeDOMRectReadOnly;

export const DOMRectReadOnly: DOMRectReadOnlyConstructor =
  ((globalThis as Record<string, unknown>).DOMRectReadOnly as DOMRectReadOnlyConstructor | undefined) ?? NodeDOMRectReadOnly;
export type DOMRectReadOnly = NodeDOMRectReadOnly;
