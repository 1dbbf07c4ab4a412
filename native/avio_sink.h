// An AVIOContext whose bytes go to JavaScript (the muxer's ReadableStream<Uint8Array>) instead
// of a file. Each write is handed over as it comes; once more than `limit` bytes were handed over
// and not yet taken by the reader (Ack), the muxer's thread waits, so a slow reader slows the
// muxer (and, through the inbox, the writer) instead of growing memory. Not seekable: only
// append-only formats stream out.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "ffmpeg.h"

namespace wcs {

class AvioSink {
 public:
  using Deliver = std::function<void(std::vector<uint8_t>)>;
  AvioSink(Deliver deliver, size_t limit) : deliver_(std::move(deliver)), limit_(limit) {}
  ~AvioSink();

  // Muxer thread: an AVIOContext writing to this sink (owned by this object).
  AVIOContext* Context();

  // Main thread: the reader took `bytes`.
  void Ack(size_t bytes);
  void Cancel();

 private:
  // FFmpeg 7 (libavformat 61) made the write callback's buffer const.
#if LIBAVFORMAT_VERSION_MAJOR < 61
  using WriteBuffer = uint8_t*;
#else
  using WriteBuffer = const uint8_t*;
#endif
  static int WritePacket(void* opaque, WriteBuffer buf, int size);
  int Write(const uint8_t* buf, int size);

  Deliver deliver_;
  const size_t limit_;
  AVIOContext* context_ = nullptr;

  std::mutex mutex_;
  std::condition_variable acked_;
  size_t outstanding_ = 0;
  bool cancelled_ = false;
};

}  // namespace wcs
