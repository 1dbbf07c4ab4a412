// What the AudioPacketEncoder implementations share: choosing a sample format. (Which encoder
// serves a name is codec_registry.cc's.)
#include "audio_packet_encoder.h"

#include <algorithm>

namespace wcs {

AVSampleFormat ChooseSampleFormat(const std::vector<AVSampleFormat>& formats, AVSampleFormat input) {
  if (formats.empty()) return input;
  auto supported = [&](AVSampleFormat f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
  if (supported(input)) return input;
  const AVSampleFormat other = av_sample_fmt_is_planar(input) ? av_get_packed_sample_fmt(input) : av_get_planar_sample_fmt(input);
  if (supported(other)) return other;
  const int want = av_get_bytes_per_sample(input);
  AVSampleFormat best = AV_SAMPLE_FMT_NONE;
  AVSampleFormat widest = formats.front();
  for (AVSampleFormat f : formats) {
    const int bytes = av_get_bytes_per_sample(f);
    if (bytes > av_get_bytes_per_sample(widest)) widest = f;
    if (bytes >= want && (best == AV_SAMPLE_FMT_NONE || bytes < av_get_bytes_per_sample(best))) best = f;
  }
  return best != AV_SAMPLE_FMT_NONE ? best : widest;
}

}  // namespace wcs
