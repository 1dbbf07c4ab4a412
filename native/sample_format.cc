#include "sample_format.h"

#include <utility>

namespace wcs {
namespace {

const std::pair<const char*, AVSampleFormat> kFormats[] = {
    {"u8", AV_SAMPLE_FMT_U8},   {"s16", AV_SAMPLE_FMT_S16},   {"s32", AV_SAMPLE_FMT_S32},
    {"f32", AV_SAMPLE_FMT_FLT}, {"u8-planar", AV_SAMPLE_FMT_U8P}, {"s16-planar", AV_SAMPLE_FMT_S16P},
    {"s32-planar", AV_SAMPLE_FMT_S32P}, {"f32-planar", AV_SAMPLE_FMT_FLTP},
};

}  // namespace

AVSampleFormat SampleFormatFromName(const std::string& name) {
  for (const auto& [n, f] : kFormats) {
    if (name == n) return f;
  }
  return AV_SAMPLE_FMT_NONE;
}

std::string SampleFormatName(AVSampleFormat format) {
  for (const auto& [n, f] : kFormats) {
    if (format == f) return n;
  }
  return "";
}

}  // namespace wcs
