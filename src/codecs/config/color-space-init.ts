// VideoColorSpaceInit as a config member: converted and copied like any dictionary member.
import { VideoColorSpace, type VideoColorSpaceInit } from '../video-color-space.js';

export function cloneColorSpaceInit(dict: Record<string, unknown>, where: string): VideoColorSpaceInit {
  try {
    // The VideoColorSpace constructor validates every enum member; its toJSON is the clean copy.
    return new VideoColorSpace(dict as VideoColorSpaceInit).toJSON();
  } catch (error) {
    throw new TypeError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
