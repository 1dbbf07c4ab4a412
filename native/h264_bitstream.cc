#include "h264_bitstream.h"

#include "bit_reader.h"

namespace wcs {

std::vector<NalSpan> SplitAnnexB(const uint8_t* data, size_t size) {
  std::vector<NalSpan> nals;
  size_t i = 0;
  auto findStart = [&](size_t from, size_t* codeLength) -> size_t {
    for (size_t j = from; j + 2 < size; j++) {
      if (data[j] == 0 && data[j + 1] == 0) {
        if (data[j + 2] == 1) {
          *codeLength = 3;
          return j;
        }
        if (j + 3 < size && data[j + 2] == 0 && data[j + 3] == 1) {
          *codeLength = 4;
          return j;
        }
      }
    }
    return size;
  };
  size_t codeLength = 0;
  i = findStart(0, &codeLength);
  while (i < size) {
    const size_t begin = i + codeLength;
    size_t nextLength = 0;
    size_t next = findStart(begin, &nextLength);
    size_t end = next;
    while (end > begin && data[end - 1] == 0 && next < size) end--;  // trailing zero bytes
    if (end > begin) nals.push_back({data + begin, end - begin});
    i = next;
    codeLength = nextLength;
  }
  return nals;
}

std::vector<uint8_t> AnnexBToLengthPrefixed(const uint8_t* data, size_t size) {
  std::vector<uint8_t> out;
  out.reserve(size + 16);
  for (const NalSpan& nal : SplitAnnexB(data, size)) {
    const uint32_t n = static_cast<uint32_t>(nal.size);
    out.push_back(static_cast<uint8_t>(n >> 24));
    out.push_back(static_cast<uint8_t>(n >> 16));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), nal.data, nal.data + nal.size);
  }
  return out;
}

std::vector<uint8_t> BuildAvcC(const uint8_t* data, size_t size) {
  if (size > 0 && data[0] == 1) return std::vector<uint8_t>(data, data + size);
  std::vector<NalSpan> sps, pps;
  for (const NalSpan& nal : SplitAnnexB(data, size)) {
    const int type = nal.data[0] & 0x1f;
    if (type == 7 && nal.size >= 4) sps.push_back(nal);
    if (type == 8) pps.push_back(nal);
  }
  if (sps.empty()) return {};
  std::vector<uint8_t> out;
  out.push_back(1);                 // configurationVersion
  out.push_back(sps[0].data[1]);    // AVCProfileIndication
  out.push_back(sps[0].data[2]);    // profile_compatibility
  out.push_back(sps[0].data[3]);    // AVCLevelIndication
  out.push_back(0xff);              // lengthSizeMinusOne = 3
  out.push_back(static_cast<uint8_t>(0xe0 | sps.size()));
  for (const NalSpan& nal : sps) {
    out.push_back(static_cast<uint8_t>(nal.size >> 8));
    out.push_back(static_cast<uint8_t>(nal.size));
    out.insert(out.end(), nal.data, nal.data + nal.size);
  }
  out.push_back(static_cast<uint8_t>(pps.size()));
  for (const NalSpan& nal : pps) {
    out.push_back(static_cast<uint8_t>(nal.size >> 8));
    out.push_back(static_cast<uint8_t>(nal.size));
    out.insert(out.end(), nal.data, nal.data + nal.size);
  }
  const int profile = sps[0].data[1];
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244) {
    // High profiles carry chroma format and bit depths (ISO/IEC 14496-15 5.3.3.1.2), as the SPS
    // states them: profile_idc, constraint flags, level_idc, then seq_parameter_set_id,
    // chroma_format_idc, [separate_colour_plane_flag], bit_depth_luma/chroma_minus8.
    const std::vector<uint8_t> rbsp = UnescapeRbsp(sps[0].data + 1, sps[0].size - 1);
    BitReader bits(rbsp.data(), rbsp.size());
    bits.Skip(24);
    bits.Ue();
    const uint32_t chromaFormat = bits.Ue();
    if (chromaFormat == 3) bits.Skip(1);
    const uint32_t lumaDepthMinus8 = bits.Ue();
    const uint32_t chromaDepthMinus8 = bits.Ue();
    out.push_back(static_cast<uint8_t>(0xfc | (chromaFormat & 3)));
    out.push_back(static_cast<uint8_t>(0xf8 | (lumaDepthMinus8 & 7)));
    out.push_back(static_cast<uint8_t>(0xf8 | (chromaDepthMinus8 & 7)));
    out.push_back(0);  // numOfSequenceParameterSetExt
  }
  return out;
}

}  // namespace wcs
