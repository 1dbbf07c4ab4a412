// AudioPacketEncoder on libopus itself (not FFmpeg's wrapper, which in FFmpeg 5.1 cannot set DTX
// or the signal type): every OpusEncoderConfig member maps onto one opus_encoder_ctl request.
//
// One libopus multistream encoder serves every channel count: for mono and stereo it is a
// single Opus stream whose packets are plain Opus packets (channel mapping family 0); for 3 to 8
// channels it is the surround encoder of RFC 7845 channel mapping family 1 (Vorbis channel order,
// coupled pairs, LFE coded cheaply).
//
// Timing: a packet stands for FrameSize() samples of decoder output, the first Delay() of which
// (the lookahead, written as OpusHead pre-skip) are priming. Packet k therefore has pts
// k * FrameSize() - Delay(); the input ends Delay() samples into the output, so draining codes
// silence until the output covers it, and the last packets' durations stop where the input
// ends. A short last frame is padded with silence here, not in the core, so that its duration
// stays exact.
#include <opus_multistream.h>

#include <algorithm>
#include <deque>
#include <string>

#include "audio_packet_encoder.h"

namespace wcs {
namespace {

constexpr int kOpusRate = 48000;
// Channel mapping family 1 defines channel layouts for up to 8 channels (RFC 7845 5.1.1.2).
constexpr int kMaxChannels = 8;
// The largest packet libopus writes for one stream: 120 ms is up to 6 frames of at most 1275
// bytes, with their lengths, the TOC and frame count (RFC 6716 3.2.5), self-delimited in a
// multistream packet (Appendix B).
constexpr int kMaxStreamPacketBytes = 6 * (1275 + 2) + 4;
// With DTX, libopus returns at most 2 bytes for a frame it judged to carry no signal: "the
// packet does not need to be transmitted" (opus_encode documentation).
constexpr int kMaxDtxPacketBytes = 2;

// AudioData channel order for Opus is the order our decoder (FFmpeg's) gives channels back in:
// FFmpeg's layout for the Vorbis channel assignment of each count (mono; L R; L R C; FL FR RL RR;
// FL FR C RL RR; ... LFE before the rear channels). libopus's family 1 wants Vorbis order
// (L C R, ... LFE last): AudioData channel i is Vorbis channel kVorbisChannel[count - 1][i].
// Round trips keep every channel in its place.
constexpr int kVorbisChannel[kMaxChannels][kMaxChannels] = {
    {0},
    {0, 1},
    {0, 2, 1},
    {0, 1, 2, 3},
    {0, 2, 1, 3, 4},
    {0, 2, 1, 5, 3, 4},
    {0, 2, 1, 6, 5, 3, 4},
    {0, 2, 1, 7, 5, 6, 3, 4},
};

struct OpusEncoderDeleter {
  void operator()(OpusMSEncoder* encoder) const { opus_multistream_encoder_destroy(encoder); }
};

int Application(const std::string& name, int frameSize) {
  // Frames shorter than 10 ms can only use the MDCT (CELT) layer; the restricted low-delay
  // application drops the lookahead the speech layer would need, so priming is 2.5 ms, not 6.5.
  if (name == "lowdelay" || frameSize < kOpusRate / 100) return OPUS_APPLICATION_RESTRICTED_LOWDELAY;
  if (name == "voip") return OPUS_APPLICATION_VOIP;
  return OPUS_APPLICATION_AUDIO;
}

int Signal(const std::string& name) {
  if (name == "music") return OPUS_SIGNAL_MUSIC;
  if (name == "voice") return OPUS_SIGNAL_VOICE;
  return OPUS_AUTO;
}

void PutLE16(std::vector<uint8_t>& out, int v) {
  out.push_back(static_cast<uint8_t>(v & 0xff));
  out.push_back(static_cast<uint8_t>((v >> 8) & 0xff));
}

void PutLE32(std::vector<uint8_t>& out, int64_t v) {
  for (int i = 0; i < 4; i++) out.push_back(static_cast<uint8_t>((v >> (8 * i)) & 0xff));
}

class OpusPacketEncoder : public AudioPacketEncoder {
 public:
  explicit OpusPacketEncoder(const AudioEncoderSetup& setup) : channels_(setup.channels) {
    const ConfigMap& config = setup.config;
    if (setup.sampleRate != kOpusRate) {
      ThrowCodecError("NotSupportedError", "Opus is coded at 48000 Hz here, not " + std::to_string(setup.sampleRate));
    }
    if (channels_ < 1 || channels_ > kMaxChannels) {
      ThrowCodecError("NotSupportedError", "Opus encodes 1 to 8 channels (RFC 7845 channel mapping families 0 and 1), not " +
                                               std::to_string(channels_) + "; downmix first");
    }
    // The frame duration in samples at 48 kHz: 2.5 ms to 60 ms frames (RFC 6716 2.1.4), and
    // packets of 80, 100 or 120 ms (libopus >= 1.2 codes them as several frames in one packet).
    const int64_t durationUs = config.Int("opusFrameDuration", 20000);
    frameSize_ = static_cast<int>(durationUs * kOpusRate / 1000000);
    static const int kFrameSizes[] = {120, 240, 480, 960, 1920, 2880, 3840, 4800, 5760};
    if (frameSize_ * int64_t{1000000} != durationUs * kOpusRate ||
        std::find(std::begin(kFrameSizes), std::end(kFrameSizes), frameSize_) == std::end(kFrameSizes)) {
      ThrowCodecError("NotSupportedError", "libopus cannot code frames of " + std::to_string(durationUs) +
                                               " us; use 2500, 5000, 10000, 20000, 40000 or 60000");
    }
    dtx_ = config.Bool("opusDtx", false);

    int err = OPUS_OK;
    const int family = channels_ > 2 ? 1 : 0;
    unsigned char mapping[kMaxChannels] = {0};
    encoder_.reset(opus_multistream_surround_encoder_create(kOpusRate, channels_, family, &streams_, &coupled_, mapping,
                                                            Application(config.String("opusApplication", "audio"), frameSize_),
                                                            &err));
    if (err != OPUS_OK || !encoder_) {
      encoder_.reset();
      ThrowCodecError("NotSupportedError", "libopus cannot encode " + std::to_string(channels_) + " channels (" +
                                               opus_strerror(err) + "); check numberOfChannels with isConfigSupported()");
    }
    // DTX is judged per stream: only a single-stream packet is known to be all silence.
    if (dtx_ && streams_ > 1) ThrowCodecError("NotSupportedError", "opus.usedtx needs mono or stereo audio (one Opus stream)");

    // Without a bitrate: 64 kbit/s per stream and 32 more per coupled (stereo) stream, as
    // opus-tools' opusenc (and FFmpeg) choose: 64 kbit/s mono, 96 kbit/s stereo.
    const int64_t bitrate = config.Int("bitrate", 64000 * streams_ + 32000 * coupled_);
    const bool constant = config.String("bitrateMode", "variable") == "constant";
    Control("bitrate " + std::to_string(bitrate), opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_BITRATE(static_cast<opus_int32>(bitrate))));
    // "constant" is hard CBR: every packet of a stream has the same size. "variable" is
    // unconstrained VBR, the encoder spending bits where the signal needs them.
    Control("bitrateMode", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_VBR(constant ? 0 : 1)));
    Control("bitrateMode", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_VBR_CONSTRAINT(0)));
    Control("opus.complexity", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_COMPLEXITY(static_cast<opus_int32>(config.Int("compressionLevel", 9)))));
    Control("opus.packetlossperc", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_PACKET_LOSS_PERC(static_cast<opus_int32>(config.Int("opusPacketLoss", 0)))));
    Control("opus.useinbandfec", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_INBAND_FEC(config.Bool("opusFec", false) ? 1 : 0)));
    Control("opus.usedtx", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_DTX(dtx_ ? 1 : 0)));
    Control("opus.signal", opus_multistream_encoder_ctl(encoder_.get(), OPUS_SET_SIGNAL(Signal(config.String("opusSignal", "auto")))));
    opus_int32 lookahead = 0;
    Control("the lookahead", opus_multistream_encoder_ctl(encoder_.get(), OPUS_GET_LOOKAHEAD(&lookahead)));
    delay_ = lookahead;

    format_ = FormatFor(setup.inputFormat);
    const size_t bytesPerSample = static_cast<size_t>(av_get_bytes_per_sample(format_));
    frame_.assign(static_cast<size_t>(frameSize_) * channels_ * bytesPerSample, 0);
    WriteOpusHead(setup.inputRate, family, mapping);
  }

  AVSampleFormat SampleFormat() const override { return format_; }
  AVSampleFormat FormatFor(AVSampleFormat input) const override {
    // opus_encode takes 16-bit integers, opus_encode_float floats, both interleaved.
    return ChooseSampleFormat({AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_FLT}, input);
  }
  int FrameSize() const override { return frameSize_; }
  bool TakesShortLastFrame() const override { return true; }  // padded in Encode, duration kept exact
  int64_t Delay() const override { return delay_; }
  const std::vector<uint8_t>& Extradata() const override { return opusHead_; }

  void Send(const AVFrame* frame) override {
    if (frame != nullptr) {
      samplesIn_ += frame->nb_samples;
      Encode(frame);
      return;
    }
    // Code silence until the decoder output reaches the end of the input (it lags by the lookahead).
    while (samplesIn_ > 0 && samplesCoded_ < samplesIn_ + delay_) Encode(nullptr);
  }

  bool Receive(AVPacket* packet) override {
    if (packets_.empty()) return false;
    av_packet_move_ref(packet, packets_.front().get());
    packets_.pop_front();
    return true;
  }

 private:
  void Control(const std::string& what, int err) const {
    if (err != OPUS_OK) {
      ThrowCodecError("NotSupportedError", std::string("libopus rejected ") + what + " (" + opus_strerror(err) +
                                               "); check the configuration with isConfigSupported()");
    }
  }

  // OpusHead (RFC 7845 5.1), the Opus registration's description for the "ogg" format.
  void WriteOpusHead(int inputRate, int family, const unsigned char* mapping) {
    const char magic[] = "OpusHead";
    opusHead_.assign(magic, magic + 8);
    opusHead_.push_back(1);  // version
    opusHead_.push_back(static_cast<uint8_t>(channels_));
    PutLE16(opusHead_, static_cast<int>(delay_));  // pre-skip, at 48 kHz
    PutLE32(opusHead_, inputRate);                  // the original input rate, informational
    PutLE16(opusHead_, 0);                          // output gain
    opusHead_.push_back(static_cast<uint8_t>(family));
    if (family != 0) {
      opusHead_.push_back(static_cast<uint8_t>(streams_));
      opusHead_.push_back(static_cast<uint8_t>(coupled_));
      opusHead_.insert(opusHead_.end(), mapping, mapping + channels_);
    }
  }

  // Codes one frame: `frame`'s samples in Vorbis channel order, silence after them (a short last
  // frame) or instead of them (nullptr, draining).
  void Encode(const AVFrame* frame) {
    const int bytes = av_get_bytes_per_sample(format_);
    std::fill(frame_.begin(), frame_.end(), 0);
    if (frame != nullptr) {
      const int* order = kVorbisChannel[channels_ - 1];
      const int samples = std::min(frame->nb_samples, frameSize_);
      const uint8_t* in = frame->extended_data[0];  // interleaved (SampleFormat() is packed)
      for (int i = 0; i < samples; i++) {
        for (int c = 0; c < channels_; c++) {
          std::copy_n(in + (static_cast<size_t>(i) * channels_ + c) * bytes, bytes,
                      frame_.data() + (static_cast<size_t>(i) * channels_ + order[c]) * bytes);
        }
      }
    }
    PacketPtr packet = MakePacket();
    if (!packet || av_new_packet(packet.get(), kMaxStreamPacketBytes * streams_) < 0) throw std::bad_alloc();
    const int size = format_ == AV_SAMPLE_FMT_FLT
                         ? opus_multistream_encode_float(encoder_.get(), reinterpret_cast<const float*>(frame_.data()), frameSize_,
                                                         packet->data, packet->size)
                         : opus_multistream_encode(encoder_.get(), reinterpret_cast<const opus_int16*>(frame_.data()), frameSize_,
                                                   packet->data, packet->size);
    if (size < 0) ThrowCodecError("EncodingError", std::string("libopus failed to encode audio (") + opus_strerror(size) + ")");
    const int64_t start = samplesCoded_;  // in decoder output, priming included
    samplesCoded_ += frameSize_;
    // DTX: a frame libopus judged silent is not sent (as in Chromium): the chunk timeline has a
    // gap there, and the next chunk carries the timestamp of its own first sample. Decoders
    // conceal the missing time (Opus PLC fades to comfort noise or silence), which is what DTX
    // is for: fewer chunks and bytes during silence. The first packet is always sent: it starts
    // the timeline and carries the decoder configuration. (With hard CBR libopus 1.3 codes every
    // frame in full, so nothing is dropped.)
    if (dtx_ && size <= kMaxDtxPacketBytes && packetsSent_ > 0) return;
    av_shrink_packet(packet.get(), size);
    packet->pts = start - delay_;
    packet->dts = packet->pts;
    packet->duration = std::max<int64_t>(0, std::min<int64_t>(frameSize_, samplesIn_ + delay_ - start));
    packetsSent_++;
    packets_.push_back(std::move(packet));
  }

  const int channels_;
  std::unique_ptr<OpusMSEncoder, OpusEncoderDeleter> encoder_;
  int streams_ = 0;
  int coupled_ = 0;
  int frameSize_ = 0;
  bool dtx_ = false;
  int64_t delay_ = 0;
  AVSampleFormat format_ = AV_SAMPLE_FMT_FLT;
  std::vector<uint8_t> opusHead_;
  std::vector<uint8_t> frame_;  // one frame of interleaved samples in Vorbis channel order
  int64_t samplesIn_ = 0;       // input samples received
  int64_t samplesCoded_ = 0;    // samples coded, padding included
  int64_t packetsSent_ = 0;
  std::deque<PacketPtr> packets_;
};

}  // namespace

std::unique_ptr<AudioPacketEncoder> OpenOpusPacketEncoder(const AudioEncoderSetup& setup) {
  return std::make_unique<OpusPacketEncoder>(setup);
}

}  // namespace wcs
