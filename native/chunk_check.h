// Structural checks of a chunk before a decoder sees it, for codecs whose FFmpeg decoders accept
// damage silently: FFmpeg's VP8 decoder decodes a frame whose header names an unknown version
// (a picture of garbage, no error); dav1d skips OBUs whose header is damaged, and FFmpeg's H.264
// and HEVC parsers skip NAL units whose forbidden bit is set (the chunk produces no picture and no
// error, so a frame is lost without a word). WebCodecs reports a chunk
// that cannot be decoded as an EncodingError; these checks catch what those decoders let through.
// Runs on the codec's worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wcs {

// Why the chunk cannot be a `kind` ("avc", "hevc", "vp8", "av1", ...) frame, or "" when nothing is
// wrong with its structure (the decoder still checks the rest). Kinds without checks always give
// "". `nalLengthSize`: for H.264/HEVC, the NAL unit length field size of the avcC/hvcC
// description (1, 2 or 4), or 0 for Annex B (no description).
std::string InvalidChunkReason(const std::string& kind, const uint8_t* data, size_t size, int nalLengthSize = 0);

}  // namespace wcs
