#include "chunk_check.h"

#include <vector>

#include "h264_bitstream.h"

namespace wcs {
namespace {

// RFC 6386 9.1: the 3-byte frame tag (key frames add a 7-byte start code and size header).
std::string InvalidVp8(const uint8_t* data, size_t size) {
  if (size < 3) return "a VP8 frame is at least 3 bytes (the frame tag)";
  const uint32_t tag = data[0] | (data[1] << 8) | (data[2] << 16);
  const bool key = (tag & 1) == 0;
  const uint32_t version = (tag >> 1) & 7;
  const uint32_t firstPartition = tag >> 5;
  if (version > 3) return "the VP8 frame tag names version " + std::to_string(version) + " (0 to 3 exist)";
  const size_t header = key ? 10 : 3;
  if (size < header) return "the VP8 key frame header is truncated";
  if (key && !(data[3] == 0x9d && data[4] == 0x01 && data[5] == 0x2a)) return "the VP8 key frame start code is missing";
  if (firstPartition > size - header) return "the VP8 first partition runs past the end of the chunk";
  return "";
}

// AV1 5.3: OBUs in the low-overhead format, each with a size field (the last may omit it).
std::string InvalidAv1(const uint8_t* data, size_t size) {
  constexpr int kObuFrameHeader = 3, kObuFrame = 6, kObuRedundantFrameHeader = 7, kObuTileList = 8;
  bool hasFrame = false;
  size_t i = 0;
  while (i < size) {
    const uint8_t header = data[i];
    if (header & 0x80) return "an AV1 OBU header has its forbidden bit set";
    const int type = (header >> 3) & 0xf;
    const bool extension = (header & 0x04) != 0;
    const bool hasSize = (header & 0x02) != 0;
    i += 1 + (extension ? 1 : 0);
    if (i > size) return "an AV1 OBU header is truncated";
    size_t payload = size - i;
    if (hasSize) {
      uint64_t value = 0;
      int bytes = 0;
      for (;; bytes++) {
        if (bytes == 8 || i >= size) return "an AV1 OBU size field is truncated";
        const uint8_t b = data[i++];
        value |= static_cast<uint64_t>(b & 0x7f) << (7 * bytes);
        if ((b & 0x80) == 0) break;
      }
      if (value > size - i) return "an AV1 OBU runs past the end of the chunk";
      payload = static_cast<size_t>(value);
    }
    if (type == kObuFrameHeader || type == kObuFrame || type == kObuRedundantFrameHeader || type == kObuTileList) hasFrame = true;
    i += payload;
  }
  // A chunk is a temporal unit (AV1 registration): one that holds no frame decodes to nothing.
  if (!hasFrame) return "the chunk holds no AV1 frame";
  return "";
}

// H.264 7.3.1 / HEVC 7.3.1: NAL units (Annex B start codes, or length-prefixed per the avcC/hvcC
// description) whose forbidden_zero_bit is 0; a chunk is an access unit, so it holds a coded slice.
std::string InvalidNalUnits(bool hevc, const uint8_t* data, size_t size, int lengthSize) {
  const char* name = hevc ? "HEVC" : "H.264";
  bool hasSlice = false;
  auto check = [&](const uint8_t* nal, size_t length) -> std::string {
    if (length == 0) return "";
    if (nal[0] & 0x80) return std::string("an ") + name + " NAL unit has its forbidden bit set";
    const int type = hevc ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
    if (hevc ? type <= 31 : (type >= 1 && type <= 5)) hasSlice = true;
    return "";
  };
  if (lengthSize > 0) {
    size_t i = 0;
    while (i < size) {
      if (size - i < static_cast<size_t>(lengthSize)) return std::string("an ") + name + " NAL unit length is truncated";
      size_t length = 0;
      for (int b = 0; b < lengthSize; b++) length = (length << 8) | data[i++];
      if (length > size - i) return std::string("an ") + name + " NAL unit runs past the end of the chunk";
      const std::string reason = check(data + i, length);
      if (!reason.empty()) return reason;
      i += length;
    }
  } else {
    const std::vector<NalSpan> nals = SplitAnnexB(data, size);
    if (nals.empty()) return std::string("the chunk has no ") + name + " start code (Annex B)";
    for (const NalSpan& nal : nals) {
      const std::string reason = check(nal.data, nal.size);
      if (!reason.empty()) return reason;
    }
  }
  if (!hasSlice) return std::string("the chunk holds no ") + name + " picture (no coded slice)";
  return "";
}

}  // namespace

std::string InvalidChunkReason(const std::string& kind, const uint8_t* data, size_t size, int nalLengthSize) {
  if (kind == "vp8") return InvalidVp8(data, size);
  if (kind == "av1") return InvalidAv1(data, size);
  if (kind == "avc" || kind == "hevc") return InvalidNalUnits(kind == "hevc", data, size, nalLengthSize);
  return "";
}

}  // namespace wcs
