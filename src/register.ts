// Installs the WebCodecs classes on globalThis where they are missing, so code written for
// browsers (and libraries that look for WebCodecs on globalThis) runs unchanged. Never replaces
// an implementation that is already there.
import { AudioData } from './codecs/audio-data.js';
import { AudioDecoder } from './codecs/audio-decoder.js';
import { AudioEncoder } from './codecs/audio-encoder.js';
import { EncodedAudioChunk } from './codecs/encoded-audio-chunk.js';
import { EncodedVideoChunk } from './codecs/encoded-video-chunk.js';
import { ImageDecoder } from './codecs/image-decoder.js';
import { ImageTrack, ImageTrackList } from './codecs/image-track.js';
import { VideoColorSpace } from './codecs/video-color-space.js';
import { VideoDecoder } from './codecs/video-decoder.js';
import { VideoEncoder } from './codecs/video-encoder.js';
import { VideoFrame } from './codecs/video-frame.js';

const CLASSES: Record<string, unknown> = {
  VideoEncoder,
  VideoDecoder,
  VideoFrame,
  AudioEncoder,
  AudioDecoder,
  AudioData,
  EncodedVideoChunk,
  EncodedAudioChunk,
  VideoColorSpace,
  ImageDecoder,
  ImageTrack,
  ImageTrackList,
};

/** Installs what is missing on globalThis; returns the names it installed. */
export function register(): string[] {
  const installed: string[] = [];
  const target = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(CLASSES)) {
    if (target[name] !== undefined) continue;
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
    installed.push(name);
  }
  return installed;
}
