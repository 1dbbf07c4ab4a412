// An AVIOContext that reads bytes JavaScript hands over one chunk at a time (a Node Readable, a
// ReadableStream such as a fetch body). The demuxer's thread asks for data only when libavformat
// needs more, and holds at most one chunk: reading never runs ahead of what parsing consumes.
// Not seekable: formats that need to seek (an MP4 whose index is at the end) fail with a clear
// error; file paths use FFmpeg's own (seekable) file I/O instead.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "ffmpeg.h"

namespace wcs {

class AvioSource {
 public:
  // `request` runs on the demuxer's thread when the buffer is empty: it asks JavaScript for the
  // next chunk (which arrives through Push, End or Fail).
  explicit AvioSource(std::function<void()> request) : request_(std::move(request)) {}
  ~AvioSource();

  // Demuxer thread: an AVIOContext reading from this source (owned by this object).
  AVIOContext* Context();

  // Main thread.
  void Push(const uint8_t* data, size_t size);
  void End();
  void Fail(const std::string& message);
  void Cancel();

  // The reason the last read failed, when it was the source's (not the format's).
  std::string failure() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failure_;
  }

 private:
  static int ReadPacket(void* opaque, uint8_t* buf, int size);
  int Read(uint8_t* buf, int size);

  std::function<void()> request_;
  AVIOContext* context_ = nullptr;

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<uint8_t> chunk_;
  size_t offset_ = 0;
  bool requested_ = false;
  bool ended_ = false;
  bool cancelled_ = false;
  std::string failure_;
};

}  // namespace wcs
