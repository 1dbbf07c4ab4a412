#include "frame_releaser.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace wcs {
namespace {

class FrameReleaser {
 public:
  FrameReleaser() {
    std::thread([this] { Run(); }).detach();
  }

  void Post(AVFrame* frame) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_.push_back(frame);
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    std::vector<AVFrame*> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return !pending_.empty(); });
        batch.swap(pending_);
      }
      for (AVFrame* frame : batch) av_frame_free(&frame);
      batch.clear();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<AVFrame*> pending_;
};

// Never destroyed: the thread runs until the process exits, and frames released while the
// process is exiting are simply not freed.
FrameReleaser& Releaser() {
  static FrameReleaser* releaser = new FrameReleaser();
  return *releaser;
}

}  // namespace

void ReleaseFrameLater(FramePtr frame) {
  if (frame) Releaser().Post(frame.release());
}

}  // namespace wcs
