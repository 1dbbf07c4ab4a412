// Process-wide counts of native media memory that JavaScript can see (frames and bytes alive),
// so tests and services can prove nothing leaks. Atomic: frames are released on worker threads
// too (a frame handed to an encoder is dropped by the worker).
#pragma once

#include <atomic>
#include <cstdint>

namespace wcs {

struct LiveCounters {
  std::atomic<int64_t> videoFrames{0};
  std::atomic<int64_t> videoFrameBytes{0};
  std::atomic<int64_t> audioData{0};
  std::atomic<int64_t> audioDataBytes{0};
  std::atomic<int64_t> codecs{0};
};

LiveCounters& Counters();

}  // namespace wcs
