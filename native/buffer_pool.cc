#include "buffer_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace wcs {
namespace {

// Enough spare buffers per size to cover the frames in flight through a codec and a stream
// (queue bounds, inbox, codec delay); beyond these, released buffers are freed.
constexpr size_t kMaxSparePerSize = 8;
constexpr size_t kMaxSpareBytes = 512u << 20;

class BufferPool {
 public:
  AVBufferRef* Allocate(size_t size) {
    uint8_t* data = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = spare_.find(size);
      if (it != spare_.end() && !it->second.empty()) {
        data = it->second.back();
        it->second.pop_back();
        spareBytes_ -= size;
      }
    }
    if (data == nullptr) {
      data = Map(size);
      if (data == nullptr) return nullptr;
    }
    // The size travels in the opaque pointer so the free callback knows the free list.
    AVBufferRef* ref = av_buffer_create(data, size, &BufferPool::Release, reinterpret_cast<void*>(size), 0);
    if (ref == nullptr) Unmap(size, data);
    return ref;
  }

 private:
  static void Release(void* opaque, uint8_t* data) { Instance().Put(reinterpret_cast<size_t>(opaque), data); }

  void Put(size_t size, uint8_t* data) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      std::vector<uint8_t*>& list = spare_[size];
      if (list.size() < kMaxSparePerSize && spareBytes_ + size <= kMaxSpareBytes) {
        list.push_back(data);
        spareBytes_ += size;
        return;
      }
    }
    Unmap(size, data);
  }

  // Buffers are mapped from the system directly rather than taken from malloc, so that one freed
  // beyond the spares goes back to the system at once (malloc would keep it in its heap: measured,
  // 10,000 frames left to the garbage collector left 330 MB of RSS behind).
  static size_t MappedLength(size_t size) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return (size + AV_INPUT_BUFFER_PADDING_SIZE + page - 1) / page * page;
  }
  static uint8_t* Map(size_t size) {
    void* p = mmap(nullptr, MappedLength(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);  // zero-filled: the padding is zero
  }
  static void Unmap(size_t size, uint8_t* data) { munmap(data, MappedLength(size)); }

 public:
  static BufferPool& Instance() {
    static BufferPool* pool = new BufferPool();  // never destroyed: buffers may be released at exit
    return *pool;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<uint8_t*>> spare_;
  size_t spareBytes_ = 0;
};

}  // namespace

AVBufferRef* AllocatePooledBuffer(size_t size) { return BufferPool::Instance().Allocate(size); }

int AllocatePooledFrame(AVFrame* frame) {
  const auto format = static_cast<AVPixelFormat>(frame->format);
  // Strides padded to 64 bytes, as av_frame_get_buffer's default alignment gives.
  int linesizes[4] = {0, 0, 0, 0};
  int ret = av_image_fill_linesizes(linesizes, format, FFALIGN(frame->width, 64));
  if (ret < 0) return ret;
  for (int& l : linesizes) l = FFALIGN(l, 64);
  uint8_t* planes[4] = {nullptr, nullptr, nullptr, nullptr};
  const int size = av_image_fill_pointers(planes, format, frame->height, nullptr, linesizes);  // size only
  if (size < 0) return size;
  AVBufferRef* buffer = AllocatePooledBuffer(static_cast<size_t>(size) + 64);
  if (buffer == nullptr) return AVERROR(ENOMEM);
  frame->buf[0] = buffer;
  uint8_t* aligned = reinterpret_cast<uint8_t*>(FFALIGN(reinterpret_cast<uintptr_t>(buffer->data), 64));
  ret = av_image_fill_pointers(frame->data, format, frame->height, aligned, linesizes);
  if (ret < 0) return ret;
  for (int i = 0; i < 4; i++) frame->linesize[i] = linesizes[i];
  frame->extended_data = frame->data;
  return 0;
}

}  // namespace wcs
