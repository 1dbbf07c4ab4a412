#include "avio_sink.h"

namespace wcs {
namespace {
constexpr int kBufferSize = 64 * 1024;
}  // namespace

AvioSink::~AvioSink() {
  if (context_ != nullptr) {
    av_freep(&context_->buffer);
    avio_context_free(&context_);
  }
}

AVIOContext* AvioSink::Context() {
  if (context_ == nullptr) {
    auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
    if (buffer == nullptr) throw std::bad_alloc();
    context_ = avio_alloc_context(buffer, kBufferSize, 1, this, nullptr, &AvioSink::WritePacket, nullptr);
    if (context_ == nullptr) {
      av_free(buffer);
      throw std::bad_alloc();
    }
    context_->seekable = 0;
  }
  return context_;
}

int AvioSink::WritePacket(void* opaque, WriteBuffer buf, int size) {
  return static_cast<AvioSink*>(opaque)->Write(buf, size);
}

int AvioSink::Write(const uint8_t* buf, int size) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    acked_.wait(lock, [this] { return cancelled_ || outstanding_ < limit_; });
    if (cancelled_) return AVERROR_EXIT;
    outstanding_ += static_cast<size_t>(size);
  }
  deliver_(std::vector<uint8_t>(buf, buf + size));
  return size;
}

void AvioSink::Ack(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_ = bytes > outstanding_ ? 0 : outstanding_ - bytes;
  acked_.notify_all();
}

void AvioSink::Cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  acked_.notify_all();
}

}  // namespace wcs
