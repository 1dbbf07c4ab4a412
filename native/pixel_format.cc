#include "pixel_format.h"

#include <utility>

namespace wcs {
namespace {

const std::pair<const char*, AVPixelFormat> kFormats[] = {
    {"I420", AV_PIX_FMT_YUV420P},
    {"I420A", AV_PIX_FMT_YUVA420P},
    {"I422", AV_PIX_FMT_YUV422P},
    {"I422A", AV_PIX_FMT_YUVA422P},
    {"I444", AV_PIX_FMT_YUV444P},
    {"I444A", AV_PIX_FMT_YUVA444P},
    {"I420P10", AV_PIX_FMT_YUV420P10LE},
    {"I420P12", AV_PIX_FMT_YUV420P12LE},
    {"I420AP10", AV_PIX_FMT_YUVA420P10LE},
    {"I422P10", AV_PIX_FMT_YUV422P10LE},
    {"I422P12", AV_PIX_FMT_YUV422P12LE},
    {"I422AP10", AV_PIX_FMT_YUVA422P10LE},
    {"I422AP12", AV_PIX_FMT_YUVA422P12LE},
    {"I444P10", AV_PIX_FMT_YUV444P10LE},
    {"I444P12", AV_PIX_FMT_YUV444P12LE},
    {"I444AP10", AV_PIX_FMT_YUVA444P10LE},
    {"I444AP12", AV_PIX_FMT_YUVA444P12LE},
    {"NV12", AV_PIX_FMT_NV12},
    {"RGBA", AV_PIX_FMT_RGBA},
    {"RGBX", AV_PIX_FMT_RGB0},
    {"BGRA", AV_PIX_FMT_BGRA},
    {"BGRX", AV_PIX_FMT_BGR0},
};

}  // namespace

AVPixelFormat PixelFormatFromName(const std::string& name) {
  for (const auto& [n, f] : kFormats) {
    if (name == n) return f;
  }
  return AV_PIX_FMT_NONE;
}

std::string PixelFormatName(AVPixelFormat format) {
  for (const auto& [n, f] : kFormats) {
    if (format == f) return n;
  }
  return "";
}

AVPixelFormat NearestNamedPixelFormat(AVPixelFormat format) {
  if (!PixelFormatName(format).empty()) return AV_PIX_FMT_NONE;
  switch (format) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    default: break;
  }
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
  if (desc == nullptr) return AV_PIX_FMT_YUV420P;
  const bool alpha = (desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
  if (desc->flags & AV_PIX_FMT_FLAG_RGB) return alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB0;
  const int depth = desc->comp[0].depth;
  const bool c444 = desc->log2_chroma_w == 0 && desc->log2_chroma_h == 0;
  const bool c422 = desc->log2_chroma_w == 1 && desc->log2_chroma_h == 0;
  if (depth > 10) {
    if (c444) return alpha ? AV_PIX_FMT_YUVA444P12LE : AV_PIX_FMT_YUV444P12LE;
    if (c422) return alpha ? AV_PIX_FMT_YUVA422P12LE : AV_PIX_FMT_YUV422P12LE;
    return AV_PIX_FMT_YUV420P12LE;
  }
  if (depth > 8) {
    if (c444) return alpha ? AV_PIX_FMT_YUVA444P10LE : AV_PIX_FMT_YUV444P10LE;
    if (c422) return alpha ? AV_PIX_FMT_YUVA422P10LE : AV_PIX_FMT_YUV422P10LE;
    return alpha ? AV_PIX_FMT_YUVA420P10LE : AV_PIX_FMT_YUV420P10LE;
  }
  if (c444) return alpha ? AV_PIX_FMT_YUVA444P : AV_PIX_FMT_YUV444P;
  if (c422) return alpha ? AV_PIX_FMT_YUVA422P : AV_PIX_FMT_YUV422P;
  return alpha ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P;
}

}  // namespace wcs
