// HEVC out-of-band setup as the HEVC codec registration's "hevc" format defines it: an
// HEVCDecoderConfigurationRecord (hvcC, ISO/IEC 14496-15 8.3.3.1) built from the encoder's
// VPS/SPS/PPS. Packets themselves are converted with AnnexBToLengthPrefixed (h264_bitstream.h),
// which is the same for both codecs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wcs {

// An hvcC record from VPS, SPS and PPS NAL units given in Annex B form (other NAL units are
// left out); empty when there is no well-formed SPS. Length fields are 4 bytes.
std::vector<uint8_t> BuildHvcC(const uint8_t* data, size_t size);

}  // namespace wcs
