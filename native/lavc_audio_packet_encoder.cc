// AudioPacketEncoder on libavcodec: aac, flac, libmp3lame, libvorbis and the PCM family, each
// with the few settings its registration needs; one send/receive loop for all of them.
#include <string>

#include "audio_packet_encoder.h"

namespace wcs {
namespace {

std::vector<AVSampleFormat> SupportedSampleFormats(const AVCodec* codec) {
  std::vector<AVSampleFormat> formats;
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
  const void* list = nullptr;
  int count = 0;
  if (avcodec_get_supported_config(nullptr, codec, AV_CODEC_CONFIG_SAMPLE_FORMAT, 0, &list, &count) >= 0 && list) {
    const auto* f = static_cast<const AVSampleFormat*>(list);
    formats.assign(f, f + count);
  }
#else
  for (const AVSampleFormat* f = codec->sample_fmts; f != nullptr && *f != AV_SAMPLE_FMT_NONE; f++) formats.push_back(*f);
#endif
  return formats;
}

class LavcAudioPacketEncoder : public AudioPacketEncoder {
 public:
  explicit LavcAudioPacketEncoder(const AudioEncoderSetup& setup) {
    const std::string name = setup.config.String("encoder");
    codec_ = avcodec_find_encoder_by_name(name.c_str());
    if (codec_ == nullptr) ThrowCodecError("NotSupportedError", "encoder " + name + " is not available in this FFmpeg build");
    formats_ = SupportedSampleFormats(codec_);
    Open(setup, name);
  }

  AVSampleFormat SampleFormat() const override { return context_->sample_fmt; }
  AVSampleFormat FormatFor(AVSampleFormat input) const override { return ChooseSampleFormat(formats_, input); }
  int FrameSize() const override { return context_->frame_size; }
  bool TakesShortLastFrame() const override { return (codec_->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) != 0; }
  int64_t Delay() const override { return context_->initial_padding; }
  const std::vector<uint8_t>& Extradata() const override { return extradata_; }

  void Send(const AVFrame* frame) override {
    const int err = avcodec_send_frame(context_.get(), frame);
    if (frame != nullptr && err < 0) ThrowCodecError("EncodingError", "the encoder rejected audio: " + AvErrorString(err));
    if (frame == nullptr && err < 0 && err != AVERROR_EOF) ThrowCodecError("EncodingError", "flush failed: " + AvErrorString(err));
  }

  bool Receive(AVPacket* packet) override {
    for (;;) {
      const int err = avcodec_receive_packet(context_.get(), packet);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return false;
      if (err < 0) ThrowCodecError("EncodingError", "the encoder failed: " + AvErrorString(err));
      // FLAC ends with an empty packet that only carries the final STREAMINFO as side data; the
      // description announced first already decodes the stream.
      if (packet->size > 0) return true;
      av_packet_unref(packet);
    }
  }

 private:
  void Open(const AudioEncoderSetup& setup, const std::string& name) {
    const ConfigMap& config = setup.config;
    CodecContextPtr ctx(avcodec_alloc_context3(codec_));
    if (!ctx) throw std::bad_alloc();
    ctx->sample_rate = setup.sampleRate;
    ctx->time_base = AVRational{1, setup.sampleRate};
    av_channel_layout_default(&ctx->ch_layout, setup.channels);
    ctx->sample_fmt = ChooseSampleFormat(formats_, setup.inputFormat);
    if (name == "flac" && ctx->sample_fmt == AV_SAMPLE_FMT_S32) ctx->bits_per_raw_sample = 24;
    if (config.Has("bitrate")) ctx->bit_rate = config.Int("bitrate", 0);
    if (config.Has("compressionLevel")) ctx->compression_level = static_cast<int>(config.Int("compressionLevel", 0));
    if (config.Has("frameSize")) ctx->frame_size = static_cast<int>(config.Int("frameSize", 0));
    ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    const bool constant = config.String("bitrateMode", "variable") == "constant";
    AVDictionary* raw = nullptr;
    std::unique_ptr<AVDictionary*, void (*)(AVDictionary**)> options(&raw, [](AVDictionary** d) { av_dict_free(d); });
    if (name == "aac") {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 26, 100)
      ctx->profile = AV_PROFILE_AAC_LOW;  // FF_PROFILE_* are deprecated from here on
#else
      ctx->profile = FF_PROFILE_AAC_LOW;
#endif
    } else if (name == "libmp3lame" && !constant && ctx->bit_rate > 0) {
      av_dict_set(&raw, "abr", "1", 0);  // LAME holds a given bitrate constant unless told to average it
    } else if (name == "libvorbis" && constant && ctx->bit_rate > 0) {
      // libvorbis averages the bitrate; equal minimum and maximum make it hard-constant.
      ctx->rc_min_rate = ctx->bit_rate;
      ctx->rc_max_rate = ctx->bit_rate;
    }
    const int err = avcodec_open2(ctx.get(), codec_, options.get());
    if (err < 0) {
      ThrowCodecError("NotSupportedError", name + " rejected this configuration (" + AvErrorString(err) +
                                               "); check sampleRate, numberOfChannels and bitrate with isConfigSupported()");
    }
    if (raw != nullptr) {
      ThrowCodecError("NotSupportedError", name + " does not support option " + std::string(av_dict_get(raw, "", nullptr, AV_DICT_IGNORE_SUFFIX)->key));
    }
    extradata_.assign(ctx->extradata, ctx->extradata + ctx->extradata_size);
    context_ = std::move(ctx);
  }

  const AVCodec* codec_ = nullptr;
  std::vector<AVSampleFormat> formats_;
  CodecContextPtr context_;
  std::vector<uint8_t> extradata_;
};

}  // namespace

std::unique_ptr<AudioPacketEncoder> OpenLavcAudioPacketEncoder(const AudioEncoderSetup& setup) {
  return std::make_unique<LavcAudioPacketEncoder>(setup);
}

}  // namespace wcs
