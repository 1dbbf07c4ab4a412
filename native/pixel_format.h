// WebCodecs VideoPixelFormat names <-> FFmpeg AVPixelFormat.
#pragma once

#include <string>

#include "ffmpeg.h"

namespace wcs {

// AV_PIX_FMT_NONE for names that have no FFmpeg equivalent.
AVPixelFormat PixelFormatFromName(const std::string& name);
// Empty for FFmpeg formats that WebCodecs cannot describe (callers convert those first).
std::string PixelFormatName(AVPixelFormat format);
// The WebCodecs format a decoder output in `format` is converted to when it has no name
// (e.g. yuvj420p -> yuv420p, gbrp -> rgba); AV_PIX_FMT_NONE if it already has one.
AVPixelFormat NearestNamedPixelFormat(AVPixelFormat format);

}  // namespace wcs
