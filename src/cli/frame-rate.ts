// --fps: resamples a stream of frames (presentation order) onto a fixed grid of 1/fps steps,
// starting at the first frame's timestamp. Each grid point shows the latest frame at or before
// it: frames are dropped to lower the rate, and repeated (as new references, not copies) to raise it.
import { VideoFrame } from '../index.js';

export function frameRateConverter(fps: number): TransformStream<VideoFrame, VideoFrame> {
  const step = 1e6 / fps;
  let held: VideoFrame | null = null;
  let origin = 0;
  let index = 0;
  const emitBefore = (limit: number, controller: TransformStreamDefaultController<VideoFrame>): void => {
    while (held !== null && origin + index * step < limit) {
      controller.enqueue(new VideoFrame(held, { timestamp: Math.round(origin + index * step), duration: Math.round(step) }));
      index++;
    }
  };
  return new TransformStream<VideoFrame, VideoFrame>({
    transform(frame, controller) {
      if (held === null) {
        origin = frame.timestamp;
      } else {
        emitBefore(frame.timestamp, controller);
        held.close();
      }
      held = frame;
    },
    flush(controller) {
      if (held === null) return;
      emitBefore(held.timestamp + (held.duration ?? step), controller);
      held.close();
      held = null;
    },
  });
}
