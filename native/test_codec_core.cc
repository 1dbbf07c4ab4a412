// A deterministic codec for tests (reachable only through webcodecs-streams/testing): it runs
// behind the same worker and state machine as the real codecs, with controllable latency, delay
// (inputs held before their output), and injected failures, so interleavings are reproducible.
//
// Config: latencyUs (sleep per input), delay (inputs held), failAt (the n-th input after this
// configure, 1-based, fails with EncodingError), failConfigure (NotSupportedError), failFlush
// (flush() fails with EncodingError; a reconfigure still emits the held outputs, so that the
// property tests' model can tell a flush from a reconfigure).
// A frame input becomes a packet output whose 8 data bytes are the timestamp; a packet input
// becomes a 2x2 I420 frame output. Outputs keep input order.
#include <chrono>
#include <deque>
#include <thread>

#include "codec_outputs.h"

namespace wcs {
namespace {

class TestCodecCore : public CodecCore {
 public:
  void Configure(const ConfigMap& config, const OutputSink& out) override {
    if (config.Bool("failConfigure", false)) ThrowCodecError("NotSupportedError", "test codec: configuration refused");
    // Reconfiguring applies after the inputs already sent: their outputs come first. Not Drain():
    // the injected flush failure belongs to flush() only.
    while (!held_.empty()) Emit(out);
    config_ = config;
    inputs_ = 0;
    announce_ = true;
  }

  void Send(CodecInput& input, const OutputSink& out) override {
    inputs_++;
    const int64_t latency = config_.Int("latencyUs", 0);
    if (latency > 0) std::this_thread::sleep_for(std::chrono::microseconds(latency));
    if (config_.Int("failAt", 0) == inputs_) ThrowCodecError("EncodingError", "test codec: injected failure");
    held_.push_back(std::move(input));
    while (held_.size() > static_cast<size_t>(config_.Int("delay", 0))) Emit(out);
  }

  void Drain(const OutputSink& out) override {
    if (config_.Bool("failFlush", false)) ThrowCodecError("EncodingError", "test codec: injected flush failure");
    while (!held_.empty()) Emit(out);
  }

 private:
  void Emit(const OutputSink& out) {
    CodecInput input = std::move(held_.front());
    held_.pop_front();
    if (input.frame) {
      auto output = std::make_unique<PacketOutput>();
      for (int i = 0; i < 8; i++) output->data.push_back(static_cast<uint8_t>(input.timestamp >> (8 * i)));
      output->key = input.options.Bool("keyFrame", false) || announce_;
      output->timestamp = input.timestamp;
      output->duration = input.duration;
      output->newConfig = announce_;
      announce_ = false;
      out(std::move(output));
    } else {
      auto output = std::make_unique<FrameOutput>();
      output->frame = MakeFrame();
      output->frame->format = AV_PIX_FMT_YUV420P;
      output->frame->width = 2;
      output->frame->height = 2;
      if (av_frame_get_buffer(output->frame.get(), 0) < 0) throw std::bad_alloc();
      output->timestamp = input.timestamp;
      output->duration = input.duration;
      out(std::move(output));
    }
  }

  ConfigMap config_;
  int64_t inputs_ = 0;
  bool announce_ = true;
  std::deque<CodecInput> held_;
};

}  // namespace

std::unique_ptr<CodecCore> CreateTestCodecCore() { return std::make_unique<TestCodecCore>(); }

}  // namespace wcs
