// The codec core behind ImageDecoder (role "image-decoder"): it keeps the encoded bytes as they
// arrive, works out the image's track (animated or not, frame count, repetition count) from the
// bytes received so far, and decodes frames on request, in request order, on the codec's worker
// thread.
//
// ImageDecoder has no encode/decode chunks, so JavaScript drives the core with commands sent as
// CodecWorker.decode(generation, bytes, command, argument, false) inputs (CodecInput.timestamp
// carries the command, .duration its argument, .packet its bytes):
//
//   Data         bytes = the next chunk of the encoded file
//   End          no more bytes will come ([[complete]])
//   Decode       argument = frame index; answered in order, when the frame's bytes have arrived
//                (or it can be shown they never will). Only complete frames are decoded: FFmpeg
//                cannot show a partial progressive image, which the spec allows.
//   SelectTrack  argument = the selected track index (-1: none)
//   Abort        drop the decode requests not answered yet (Reset ImageDecoder)
//
// What it reports (outputs, converted to JavaScript objects with a `kind`):
//   { kind: 'tracks', animated, frameCount, repetitionCount }   once, when the track is known
//   { kind: 'frameCount', frameCount }                           when more frames have arrived
//   { kind: 'image', frame, timestamp, duration?, rotation, flip }   answers a Decode
//   { kind: 'rejected', message }                                answers a Decode with RangeError
// Malformed data and decoding failures throw EncodingError, which closes the ImageDecoder.
#pragma once

#include <cstdint>
#include <memory>

#include "codec_core.h"

namespace wcs {

enum class ImageCommand : int64_t { Data = 0, End = 1, Decode = 2, SelectTrack = 3, Abort = 4 };

std::unique_ptr<CodecCore> CreateImageDecoderCore();

}  // namespace wcs
