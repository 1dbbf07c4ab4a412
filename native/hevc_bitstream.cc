#include "hevc_bitstream.h"

#include "bit_reader.h"
#include "h264_bitstream.h"

namespace wcs {
namespace {

constexpr int kVps = 32;
constexpr int kSps = 33;
constexpr int kPps = 34;

int NalType(const NalSpan& nal) { return (nal.data[0] >> 1) & 0x3f; }

// What hvcC repeats from the SPS (H.265 7.3.2.2).
struct SpsFields {
  uint8_t profileTierLevel[12];  // general_profile_space .. general_level_idc, as coded
  uint32_t maxSubLayersMinus1 = 0;
  uint32_t temporalIdNesting = 0;
  uint32_t chromaFormat = 1;
  uint32_t lumaDepthMinus8 = 0;
  uint32_t chromaDepthMinus8 = 0;
};

bool ParseSps(const NalSpan& nal, SpsFields* out) {
  if (nal.size < 3) return false;
  const std::vector<uint8_t> rbsp = UnescapeRbsp(nal.data + 2, nal.size - 2);  // after the 2-byte NAL header
  BitReader bits(rbsp.data(), rbsp.size());
  bits.Skip(4);  // sps_video_parameter_set_id
  out->maxSubLayersMinus1 = bits.Bits(3);
  out->temporalIdNesting = bits.Bit();
  // profile_tier_level(1, max_sub_layers_minus1): the 12 general bytes are byte aligned here.
  for (uint8_t& byte : out->profileTierLevel) byte = static_cast<uint8_t>(bits.Bits(8));
  uint32_t subLayerProfile[8] = {0}, subLayerLevel[8] = {0};
  for (uint32_t i = 0; i < out->maxSubLayersMinus1; i++) {
    subLayerProfile[i] = bits.Bit();
    subLayerLevel[i] = bits.Bit();
  }
  if (out->maxSubLayersMinus1 > 0) bits.Skip(2 * (8 - out->maxSubLayersMinus1));
  for (uint32_t i = 0; i < out->maxSubLayersMinus1; i++) {
    if (subLayerProfile[i]) bits.Skip(88);
    if (subLayerLevel[i]) bits.Skip(8);
  }
  bits.Ue();  // sps_seq_parameter_set_id
  out->chromaFormat = bits.Ue();
  if (out->chromaFormat == 3) bits.Skip(1);  // separate_colour_plane_flag
  bits.Ue();  // pic_width_in_luma_samples
  bits.Ue();  // pic_height_in_luma_samples
  if (bits.Bit()) {  // conformance_window_flag
    for (int i = 0; i < 4; i++) bits.Ue();
  }
  out->lumaDepthMinus8 = bits.Ue();
  out->chromaDepthMinus8 = bits.Ue();
  return !bits.Overrun() && out->chromaFormat <= 3;
}

void PushArray(std::vector<uint8_t>& out, int type, const std::vector<NalSpan>& nals) {
  out.push_back(static_cast<uint8_t>(0x80 | type));  // array_completeness = 1: all of this type are here
  out.push_back(static_cast<uint8_t>(nals.size() >> 8));
  out.push_back(static_cast<uint8_t>(nals.size()));
  for (const NalSpan& nal : nals) {
    out.push_back(static_cast<uint8_t>(nal.size >> 8));
    out.push_back(static_cast<uint8_t>(nal.size));
    out.insert(out.end(), nal.data, nal.data + nal.size);
  }
}

}  // namespace

std::vector<uint8_t> BuildHvcC(const uint8_t* data, size_t size) {
  std::vector<NalSpan> vps, sps, pps;
  for (const NalSpan& nal : SplitAnnexB(data, size)) {
    if (nal.size < 2) continue;
    switch (NalType(nal)) {
      case kVps: vps.push_back(nal); break;
      case kSps: sps.push_back(nal); break;
      case kPps: pps.push_back(nal); break;
      default: break;  // SEI and others stay in band
    }
  }
  SpsFields fields;
  if (sps.empty() || !ParseSps(sps[0], &fields)) return {};
  std::vector<uint8_t> out;
  out.push_back(1);  // configurationVersion
  out.insert(out.end(), fields.profileTierLevel, fields.profileTierLevel + 12);
  out.push_back(0xf0);  // reserved '1111' + min_spatial_segmentation_idc (12 bits) = 0: not signalled
  out.push_back(0x00);
  out.push_back(0xfc);  // reserved '111111' + parallelismType = 0: unknown
  out.push_back(static_cast<uint8_t>(0xfc | (fields.chromaFormat & 3)));
  out.push_back(static_cast<uint8_t>(0xf8 | (fields.lumaDepthMinus8 & 7)));
  out.push_back(static_cast<uint8_t>(0xf8 | (fields.chromaDepthMinus8 & 7)));
  out.push_back(0);  // avgFrameRate (16 bits) = 0: unspecified
  out.push_back(0);
  // constantFrameRate = 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne = 3
  out.push_back(static_cast<uint8_t>((((fields.maxSubLayersMinus1 + 1) & 7) << 3) | ((fields.temporalIdNesting & 1) << 2) | 3));
  out.push_back(static_cast<uint8_t>((vps.empty() ? 0 : 1) + 1 + (pps.empty() ? 0 : 1)));  // numOfArrays
  if (!vps.empty()) PushArray(out, kVps, vps);
  PushArray(out, kSps, sps);
  if (!pps.empty()) PushArray(out, kPps, pps);
  return out;
}

}  // namespace wcs
