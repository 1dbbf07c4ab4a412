// WebCodecs AudioSampleFormat names <-> FFmpeg AVSampleFormat.
#pragma once

#include <string>

#include "ffmpeg.h"

namespace wcs {

AVSampleFormat SampleFormatFromName(const std::string& name);
// Empty for formats WebCodecs cannot describe (s64, dbl: callers convert those first).
std::string SampleFormatName(AVSampleFormat format);

}  // namespace wcs
