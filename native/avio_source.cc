#include "avio_source.h"

#include <cstring>

namespace wcs {
namespace {
// libavformat reads in blocks of this size; a larger JS chunk is consumed over several reads.
constexpr int kBufferSize = 64 * 1024;
}  // namespace

AvioSource::~AvioSource() {
  if (context_ != nullptr) {
    av_freep(&context_->buffer);
    avio_context_free(&context_);
  }
}

AVIOContext* AvioSource::Context() {
  if (context_ == nullptr) {
    auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
    if (buffer == nullptr) throw std::bad_alloc();
    context_ = avio_alloc_context(buffer, kBufferSize, 0, this, &AvioSource::ReadPacket, nullptr, nullptr);
    if (context_ == nullptr) {
      av_free(buffer);
      throw std::bad_alloc();
    }
    context_->seekable = 0;
  }
  return context_;
}

int AvioSource::ReadPacket(void* opaque, uint8_t* buf, int size) {
  return static_cast<AvioSource*>(opaque)->Read(buf, size);
}

int AvioSource::Read(uint8_t* buf, int size) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (cancelled_) return AVERROR_EXIT;
    if (offset_ < chunk_.size()) {
      const size_t n = std::min(static_cast<size_t>(size), chunk_.size() - offset_);
      std::memcpy(buf, chunk_.data() + offset_, n);
      offset_ += n;
      return static_cast<int>(n);
    }
    if (!failure_.empty()) return AVERROR(EIO);
    if (ended_) return AVERROR_EOF;
    if (!requested_) {
      requested_ = true;
      lock.unlock();
      request_();
      lock.lock();
      continue;
    }
    arrived_.wait(lock);
  }
}

void AvioSource::Push(const uint8_t* data, size_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  chunk_.assign(data, data + size);
  offset_ = 0;
  requested_ = false;
  arrived_.notify_all();
}

void AvioSource::End() {
  std::lock_guard<std::mutex> lock(mutex_);
  ended_ = true;
  arrived_.notify_all();
}

void AvioSource::Fail(const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  failure_ = message.empty() ? "the source stream failed" : message;
  arrived_.notify_all();
}

void AvioSource::Cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  arrived_.notify_all();
}

}  // namespace wcs
