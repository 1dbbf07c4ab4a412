// Audio encoding on libavcodec (libopus, aac, flac, libmp3lame, libvorbis, the PCM family).
// Runs on the codec's worker thread only.
//
// AudioData may hold any number of frames in any sample format; codecs want exactly frame_size
// samples in one sample format (and Opus 48 kHz). Inputs are converted with libswresample and
// re-chunked through an AVAudioFifo. Output timestamps come from counting codec samples from the
// first input's timestamp, so they are exact, strictly increasing and gap-free whatever the
// input chunking; an input that starts a new part of the timeline (a gap) re-anchors the count. The codec's priming is part of that timeline (the first chunk starts at the
// first input timestamp); the priming decoders output (initial_padding) is reported to
// JavaScript as the encoder delay.
#include "audio_encoder_core.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace wcs {
namespace {

// Microseconds from the start of the stream to sample `samples` at `rate`, to the nearest
// microsecond (the decoder counts output samples the same way, so round trips line up).
int64_t SamplesToMicros(int64_t samples, int rate) {
  return av_rescale_rnd(samples, 1000000, rate, AV_ROUND_NEAR_INF);
}

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

// The codec sample format for input in `input`: the input's own format (or its other
// arrangement) when the codec takes it, so nothing is converted; otherwise the narrowest format
// at least as wide, so nothing is lost (FLAC: f32/s32 input is coded as 24-bit).
AVSampleFormat ChooseSampleFormat(const AVCodec* codec, AVSampleFormat input) {
  const std::vector<AVSampleFormat> formats = SupportedSampleFormats(codec);
  if (formats.empty()) return input;
  auto supported = [&](AVSampleFormat f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
  if (supported(input)) return input;
  const AVSampleFormat other = av_sample_fmt_is_planar(input) ? av_get_packed_sample_fmt(input) : av_get_planar_sample_fmt(input);
  if (supported(other)) return other;
  const int want = av_get_bytes_per_sample(input);
  AVSampleFormat best = AV_SAMPLE_FMT_NONE;
  AVSampleFormat widest = formats.front();
  for (AVSampleFormat f : formats) {
    const int bytes = av_get_bytes_per_sample(f);
    if (bytes > av_get_bytes_per_sample(widest)) widest = f;
    if (bytes >= want && (best == AV_SAMPLE_FMT_NONE || bytes < av_get_bytes_per_sample(best))) best = f;
  }
  return best != AV_SAMPLE_FMT_NONE ? best : widest;
}

FramePtr AllocateFrame(AVSampleFormat format, const AVChannelLayout& layout, int rate, int samples) {
  FramePtr frame = MakeFrame();
  if (!frame) throw std::bad_alloc();
  frame->format = format;
  frame->sample_rate = rate;
  frame->nb_samples = samples;
  if (av_channel_layout_copy(&frame->ch_layout, &layout) < 0 || av_frame_get_buffer(frame.get(), 0) < 0) throw std::bad_alloc();
  return frame;
}

// ADTS header (ISO/IEC 14496-3 1.A.3.2) for one raw AAC frame, from the encoder's
// AudioSpecificConfig: profile, sampling frequency index and channel configuration.
std::vector<uint8_t> AdtsFrame(const std::vector<uint8_t>& asc, bool mpeg2, const uint8_t* data, int size) {
  const int objectType = asc[0] >> 3;
  const int frequencyIndex = ((asc[0] & 0x07) << 1) | (asc[1] >> 7);
  const int channelConfig = (asc[1] >> 3) & 0x0f;
  const int length = size + 7;
  std::vector<uint8_t> out(static_cast<size_t>(length));
  out[0] = 0xff;
  out[1] = static_cast<uint8_t>(0xf1 | (mpeg2 ? 0x08 : 0x00));  // sync, ID, layer 0, no CRC
  out[2] = static_cast<uint8_t>(((objectType - 1) << 6) | (frequencyIndex << 2) | (channelConfig >> 2));
  out[3] = static_cast<uint8_t>(((channelConfig & 3) << 6) | (length >> 11));
  out[4] = static_cast<uint8_t>((length >> 3) & 0xff);
  out[5] = static_cast<uint8_t>(((length & 7) << 5) | 0x1f);  // buffer fullness 0x7ff: VBR
  out[6] = 0xfc;
  std::copy(data, data + size, out.begin() + 7);
  return out;
}

// FFmpeg's Vorbis extradata is Xiph lacing (2, the laced sizes of the first two headers, the
// three headers); the Vorbis registration wants page_segments and an Ogg segment table that
// laces all three headers, then the headers.
std::vector<uint8_t> VorbisDescription(const uint8_t* extradata, int size) {
  auto fail = []() -> std::vector<uint8_t> { ThrowCodecError("NotSupportedError", "libvorbis gave no usable headers"); };
  if (size < 3 || extradata[0] != 2) return fail();
  int offset = 1;
  size_t sizes[3] = {0, 0, 0};
  for (int i = 0; i < 2; i++) {
    for (; offset < size && extradata[offset] == 255; offset++) sizes[i] += 255;
    if (offset >= size) return fail();
    sizes[i] += extradata[offset++];
  }
  if (static_cast<size_t>(size - offset) <= sizes[0] + sizes[1]) return fail();
  sizes[2] = static_cast<size_t>(size - offset) - sizes[0] - sizes[1];
  std::vector<uint8_t> table;
  for (size_t headerSize : sizes) {
    for (; headerSize >= 255; headerSize -= 255) table.push_back(255);
    table.push_back(static_cast<uint8_t>(headerSize));
  }
  if (table.size() > 255) return fail();
  std::vector<uint8_t> out = {static_cast<uint8_t>(table.size())};
  out.insert(out.end(), table.begin(), table.end());
  out.insert(out.end(), extradata + offset, extradata + size);
  return out;
}

}  // namespace

void AudioEncoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (context_) Drain(out);  // reconfigure in order: outputs of the old settings come first
  config_ = config;
  const std::string name = config_.String("encoder");
  codec_ = avcodec_find_encoder_by_name(name.c_str());
  if (codec_ == nullptr) ThrowCodecError("NotSupportedError", "encoder " + name + " is not available in this FFmpeg build");
  inputRate_ = static_cast<int>(config_.Int("sampleRate", 0));
  channels_ = static_cast<int>(config_.Int("numberOfChannels", 0));
  // Open now so an unsupported configuration fails configure() (and isConfigSupported); the
  // first AudioData may re-open it in a sample format that spares a conversion.
  Open(AV_SAMPLE_FMT_S16);
}

void AudioEncoderCore::Open(AVSampleFormat inputFormat) {
  const std::string name = config_.String("encoder");
  CodecContextPtr ctx(avcodec_alloc_context3(codec_));
  if (!ctx) throw std::bad_alloc();
  const int codecRate = static_cast<int>(config_.Int("codecSampleRate", inputRate_));
  ctx->sample_rate = codecRate;
  ctx->time_base = AVRational{1, codecRate};
  av_channel_layout_default(&ctx->ch_layout, channels_);
  ctx->sample_fmt = ChooseSampleFormat(codec_, inputFormat);
  if (name == "flac" && ctx->sample_fmt == AV_SAMPLE_FMT_S32) ctx->bits_per_raw_sample = 24;
  if (config_.Has("bitrate")) ctx->bit_rate = config_.Int("bitrate", 0);
  if (config_.Has("compressionLevel")) ctx->compression_level = static_cast<int>(config_.Int("compressionLevel", 0));
  if (config_.Has("frameSize")) ctx->frame_size = static_cast<int>(config_.Int("frameSize", 0));
  ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  const bool constant = config_.String("bitrateMode", "variable") == "constant";
  AVDictionary* raw = nullptr;
  std::unique_ptr<AVDictionary*, void (*)(AVDictionary**)> options(&raw, [](AVDictionary** d) { av_dict_free(d); });
  if (name == "libopus") {
    av_dict_set(&raw, "application", config_.String("opusApplication", "audio").c_str(), 0);
    av_dict_set(&raw, "frame_duration", std::to_string(config_.Number("opusFrameDurationMs", 20)).c_str(), 0);
    av_dict_set_int(&raw, "packet_loss", config_.Int("opusPacketLoss", 0), 0);
    av_dict_set_int(&raw, "fec", config_.Bool("opusFec", false) ? 1 : 0, 0);
    av_dict_set(&raw, "vbr", constant ? "off" : "on", 0);
  } else if (name == "aac") {
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

  fifo_.reset(av_audio_fifo_alloc(ctx->sample_fmt, channels_, std::max(ctx->frame_size, 1024)));
  if (!fifo_) throw std::bad_alloc();
  formatSwr_.reset();
  formatSwrInput_ = AV_SAMPLE_FMT_NONE;
  rateSwr_.reset();
  if (codecRate != inputRate_) {
    SwrContext* swr = nullptr;
    if (swr_alloc_set_opts2(&swr, &ctx->ch_layout, ctx->sample_fmt, codecRate, &ctx->ch_layout, ctx->sample_fmt, inputRate_, 0,
                            nullptr) < 0 ||
        swr_init(swr) < 0) {
      swr_free(&swr);
      ThrowCodecError("NotSupportedError", "cannot resample " + std::to_string(inputRate_) + " Hz to " +
                                               std::to_string(codecRate) + " Hz for " + name);
    }
    rateSwr_.reset(swr);
  }

  description_.reset();
  extradata_.assign(ctx->extradata, ctx->extradata + ctx->extradata_size);
  const std::string descriptionFormat = config_.String("descriptionFormat");
  if (descriptionFormat == "extradata") {
    description_ = extradata_;
  } else if (descriptionFormat == "flac") {
    // FFmpeg's extradata is the bare 34-byte STREAMINFO; the registration wants the stream
    // header: "fLaC" then STREAMINFO as the last metadata block.
    std::vector<uint8_t> d = {'f', 'L', 'a', 'C', 0x80, 0, 0, static_cast<uint8_t>(ctx->extradata_size)};
    d.insert(d.end(), ctx->extradata, ctx->extradata + ctx->extradata_size);
    description_ = std::move(d);
  } else if (descriptionFormat == "xiph") {
    description_ = VorbisDescription(ctx->extradata, ctx->extradata_size);
  }
  adts_ = config_.Bool("adts", false);
  if (adts_ && extradata_.size() < 2) ThrowCodecError("NotSupportedError", "the AAC encoder gave no AudioSpecificConfig");

  delay_ = ctx->initial_padding;
  firstPacketPts_.reset();
  samplesSent_ = 0;
  nextPacketStart_ = 0;
  baseTimestamp_.reset();
  announceConfig_ = true;
  context_ = std::move(ctx);
}

void AudioEncoderCore::Send(CodecInput& input, const OutputSink& out) {
  const AVFrame* frame = input.frame.get();
  if (frame->ch_layout.nb_channels != channels_ || frame->sample_rate != inputRate_) {
    ThrowCodecError("EncodingError", "AudioData has " + std::to_string(frame->ch_layout.nb_channels) + " channels at " +
                                         std::to_string(frame->sample_rate) + " Hz but the encoder is configured for " +
                                         std::to_string(channels_) + " at " + std::to_string(inputRate_) +
                                         " Hz; resample or reconfigure first");
  }
  const auto format = static_cast<AVSampleFormat>(frame->format);
  const bool fresh = samplesSent_ == 0 && (!fifo_ || av_audio_fifo_size(fifo_.get()) == 0);
  if (!context_ || (fresh && ChooseSampleFormat(codec_, format) != context_->sample_fmt)) Open(format);
  if (!baseTimestamp_) {
    baseTimestamp_ = input.timestamp;
    anchors_.assign(1, {0, input.timestamp});
    samplesQueued_ = 0;
  } else {
    // Where this input would start if the audio were contiguous; a resampler holds a few samples
    // back, so it is allowed a little more slack than one input sample.
    const int64_t expected = TimestampAt(samplesQueued_);
    const int64_t slack = 1000000 / std::max(inputRate_, 1) + 1 + (rateSwr_ ? 2000 : 0);
    if (std::llabs(input.timestamp - expected) > slack) anchors_.emplace_back(samplesQueued_, input.timestamp);
  }
  Queue(frame);
  EncodeQueued(false, out);
}

int64_t AudioEncoderCore::TimestampAt(int64_t sample) {
  auto anchor = anchors_.begin();
  for (auto it = anchors_.begin(); it != anchors_.end() && it->first <= sample; ++it) anchor = it;
  return anchor->second + SamplesToMicros(sample - anchor->first, context_->sample_rate);
}

void AudioEncoderCore::Queue(const AVFrame* frame) {
  FramePtr converted;
  if (frame->format != context_->sample_fmt) {
    converted = ConvertFormat(frame);
    frame = converted.get();
  }
  if (rateSwr_) {
    Resample(frame);
  } else if (av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(frame->extended_data), frame->nb_samples) < 0) {
    throw std::bad_alloc();
  } else {
    samplesQueued_ += frame->nb_samples;
  }
}

FramePtr AudioEncoderCore::ConvertFormat(const AVFrame* frame) {
  const auto format = static_cast<AVSampleFormat>(frame->format);
  if (!formatSwr_ || formatSwrInput_ != format) {
    SwrContext* swr = nullptr;
    // FFmpeg 5.1 declares the layouts non-const; libswresample only reads them.
    if (swr_alloc_set_opts2(&swr, &context_->ch_layout, context_->sample_fmt, frame->sample_rate,
                            const_cast<AVChannelLayout*>(&frame->ch_layout), format, frame->sample_rate, 0, nullptr) < 0 ||
        swr_init(swr) < 0) {
      swr_free(&swr);
      ThrowCodecError("EncodingError", "cannot convert this AudioData's sample format for the encoder");
    }
    formatSwr_.reset(swr);
    formatSwrInput_ = format;
  }
  FramePtr dst = AllocateFrame(context_->sample_fmt, context_->ch_layout, frame->sample_rate, frame->nb_samples);
  const int got = swr_convert(formatSwr_.get(), dst->extended_data, dst->nb_samples,
                              const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
  if (got < 0) ThrowCodecError("EncodingError", "sample format conversion failed: " + AvErrorString(got));
  dst->nb_samples = got;
  return dst;
}

// Feeds the resampler (nullptr drains it) and queues what it returns.
void AudioEncoderCore::Resample(const AVFrame* frame) {
  const int inSamples = frame ? frame->nb_samples : 0;
  const int capacity = swr_get_out_samples(rateSwr_.get(), inSamples);
  if (capacity <= 0) return;
  FramePtr dst = AllocateFrame(context_->sample_fmt, context_->ch_layout, context_->sample_rate, capacity);
  const int got = swr_convert(rateSwr_.get(), dst->extended_data, capacity,
                              frame ? const_cast<const uint8_t**>(frame->extended_data) : nullptr, inSamples);
  if (got < 0) ThrowCodecError("EncodingError", "resampling failed: " + AvErrorString(got));
  if (av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(dst->extended_data), got) < 0) throw std::bad_alloc();
  samplesQueued_ += got;
}

// Sends every whole codec frame in the FIFO; with `final`, the remainder as a short last frame
// (or padded with silence for codecs that cannot take one).
void AudioEncoderCore::EncodeQueued(bool final, const OutputSink& out) {
  const int frameSize = context_->frame_size;  // 0: the codec takes any number of samples (PCM)
  const bool smallLast = (codec_->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) != 0;
  for (;;) {
    const int available = av_audio_fifo_size(fifo_.get());
    if (available == 0) return;
    int take;
    if (frameSize == 0) {
      take = available;
    } else if (available >= frameSize) {
      take = frameSize;
    } else if (final) {
      take = available;
    } else {
      return;
    }
    const int samples = (frameSize > 0 && take < frameSize && !smallLast) ? frameSize : take;
    FramePtr frame = AllocateFrame(context_->sample_fmt, context_->ch_layout, context_->sample_rate, samples);
    if (av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->extended_data), take) != take) {
      ThrowCodecError("EncodingError", "the sample queue lost samples");
    }
    if (samples > take) {
      av_samples_set_silence(frame->extended_data, take, samples - take, channels_, context_->sample_fmt);
    }
    frame->pts = samplesSent_;
    samplesSent_ += samples;
    const int err = avcodec_send_frame(context_.get(), frame.get());
    if (err < 0) ThrowCodecError("EncodingError", "the encoder rejected audio: " + AvErrorString(err));
    Receive(out);
  }
}

void AudioEncoderCore::Receive(const OutputSink& out) {
  PacketPtr packet = MakePacket();
  for (;;) {
    const int err = avcodec_receive_packet(context_.get(), packet.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) ThrowCodecError("EncodingError", "the encoder failed: " + AvErrorString(err));
    // FLAC ends with an empty packet that only carries the final STREAMINFO as side data; the
    // description announced first already decodes the stream.
    if (packet->size > 0) Emit(packet.get(), out);
    av_packet_unref(packet.get());
  }
}

void AudioEncoderCore::Emit(const AVPacket* packet, const OutputSink& out) {
  const int rate = context_->sample_rate;
  // Packet pts count codec samples from the first input sample; priming comes first, at negative
  // pts (initial_padding, or a Vorbis first packet that decoders turn into no audio). Counting
  // from the first packet puts it at the first input timestamp.
  if (!firstPacketPts_) firstPacketPts_ = std::min<int64_t>(packet->pts != AV_NOPTS_VALUE ? packet->pts : 0, 0);
  const int64_t start = packet->pts != AV_NOPTS_VALUE ? packet->pts - *firstPacketPts_ : nextPacketStart_;
  const int64_t end = start + std::max<int64_t>(packet->duration, 0);
  nextPacketStart_ = end;
  auto output = std::make_unique<PacketOutput>();
  if (adts_) {
    output->data = AdtsFrame(extradata_, config_.Bool("mpeg2", false), packet->data, packet->size);
  } else {
    output->data.assign(packet->data, packet->data + packet->size);
  }
  output->key = true;  // every registered audio codec's chunks are key chunks
  output->timestamp = TimestampAt(start);
  output->duration = SamplesToMicros(end, rate) - SamplesToMicros(start, rate);
  if (announceConfig_) {
    output->newConfig = true;
    if (description_) output->description = description_;
    output->extra.Set("encoderDelay", static_cast<double>(delay_));
    announceConfig_ = false;
  }
  out(std::move(output));
}

void AudioEncoderCore::Drain(const OutputSink& out) {
  if (!context_) return;
  if (rateSwr_) Resample(nullptr);
  EncodeQueued(true, out);
  const int err = avcodec_send_frame(context_.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) ThrowCodecError("EncodingError", "flush failed: " + AvErrorString(err));
  Receive(out);
  // libavcodec encoders cannot take audio after EOF: the next AudioData re-opens the codec with
  // the same settings and starts a new timeline at its own timestamp.
  context_.reset();
  fifo_.reset();
  rateSwr_.reset();
  formatSwr_.reset();
  baseTimestamp_.reset();
}

}  // namespace wcs
