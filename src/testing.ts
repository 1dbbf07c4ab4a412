// Test-only entry (`webcodecs-streams/testing`): a deterministic codec behind the same worker and
// state machine as the real ones, so interleavings of configure/encode/flush/reset/close can be
// reproduced exactly. Not part of the WebCodecs API; do not use in production code.
export { TestCodec } from './codecs/test-codec.js';
export type { TestCodecConfig, TestCodecOutput } from './codecs/test-codec.js';
export { getLiveCounters } from './diagnostics.js';
