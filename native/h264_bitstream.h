// H.264 bitstream shapes: Annex B (start codes) and AVC (length-prefixed NAL units with an avcC
// record as out-of-band setup), as the AVC codec registration defines them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wcs {

struct NalSpan {
  const uint8_t* data;
  size_t size;
};

// NAL units of an Annex B buffer (start codes removed).
std::vector<NalSpan> SplitAnnexB(const uint8_t* data, size_t size);
// Annex B -> 4-byte length-prefixed NAL units.
std::vector<uint8_t> AnnexBToLengthPrefixed(const uint8_t* data, size_t size);
// An AVCDecoderConfigurationRecord from SPS/PPS NAL units given in Annex B form; empty when no
// SPS is present. Already-avcC input is returned unchanged.
std::vector<uint8_t> BuildAvcC(const uint8_t* data, size_t size);

}  // namespace wcs
