// Reading H.264/HEVC parameter sets: emulation-prevention removal and an MSB-first bit reader
// with Exp-Golomb codes. Reads past the end yield zeros; callers check Overrun().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wcs {

// The RBSP of a NAL unit payload: every 0x000003 becomes 0x0000.
inline std::vector<uint8_t> UnescapeRbsp(const uint8_t* data, size_t size) {
  std::vector<uint8_t> out;
  out.reserve(size);
  int zeros = 0;
  for (size_t i = 0; i < size; i++) {
    if (zeros >= 2 && data[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = data[i] == 0 ? zeros + 1 : 0;
    out.push_back(data[i]);
  }
  return out;
}

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint32_t Bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 1) | Bit();
    return v;
  }
  uint32_t Bit() {
    if (pos_ >= size_ * 8) {
      overrun_ = true;
      pos_++;
      return 0;
    }
    const uint32_t bit = (data_[pos_ / 8] >> (7 - pos_ % 8)) & 1;
    pos_++;
    return bit;
  }
  void Skip(size_t n) { pos_ += n; }
  // ue(v)
  uint32_t Ue() {
    int zeros = 0;
    while (Bit() == 0 && !overrun_ && zeros < 32) zeros++;
    return zeros == 0 ? 0 : ((1u << zeros) - 1) + Bits(zeros);
  }
  bool Overrun() const { return overrun_ || pos_ > size_ * 8; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool overrun_ = false;
};

}  // namespace wcs
