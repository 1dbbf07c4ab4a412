// Non-standard: containers. Demuxer (files and byte streams in, WebCodecs chunks out) and Muxer
// (encoder outputs in, files or byte streams out), on libavformat.
export { Demuxer } from './demuxer.js';
export type { DemuxerOptions, DemuxedChunk, ContainerFormat } from './demuxer.js';
export type { DemuxerSource } from './demuxer-source.js';
export type { DemuxerTrack, VideoTrack, AudioTrack, VideoTrackConfig, AudioTrackConfig } from './demuxer-track.js';
export { splitTracks } from './split-tracks.js';
export { Muxer } from './muxer.js';
export type { MuxerInit, MuxerInput } from './muxer.js';
export type { MuxerTrackInit, MuxerVideoConfig, MuxerAudioConfig } from './muxer-track.js';
export { MUXER_FORMATS, muxerFormatForPath } from './muxer-formats.js';
export type { MuxerFormat } from './muxer-formats.js';
export { ContainerError } from './container-error.js';
export type { ContainerErrorCode } from './container-error.js';
