// Audio encoding: what every codec shares, around one AudioPacketEncoder (audio_packet_encoder.h:
// libopus, or libavcodec for aac, flac, libmp3lame, libvorbis and the PCM family).
// Runs on the codec's worker thread only.
//
// AudioData may hold any number of frames in any sample format; codecs want exactly FrameSize()
// samples in one sample format (and Opus 48 kHz). Inputs are converted with libswresample and
// re-chunked through an AVAudioFifo. Output timestamps come from counting codec samples from the
// first input's timestamp, so they are exact, strictly increasing and gap-free whatever the
// input chunking; an input that starts a new part of the timeline (a gap) re-anchors the count.
// The codec's priming is part of that timeline (the first chunk starts at the first input
// timestamp); the priming decoders output (the encoder's Delay()) is reported to JavaScript as
// the encoder delay.
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

AudioEncoderCore::~AudioEncoderCore() { av_channel_layout_uninit(&layout_); }

void AudioEncoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (encoder_) Drain(out);  // reconfigure in order: outputs of the old settings come first
  config_ = config;
  inputRate_ = static_cast<int>(config_.Int("sampleRate", 0));
  codecRate_ = static_cast<int>(config_.Int("codecSampleRate", inputRate_));
  channels_ = static_cast<int>(config_.Int("numberOfChannels", 0));
  av_channel_layout_uninit(&layout_);
  av_channel_layout_default(&layout_, channels_);
  // Open now so an unsupported configuration fails configure() (and isConfigSupported); the
  // first AudioData may re-open it in a sample format that spares a conversion.
  Open(AV_SAMPLE_FMT_S16);
}

void AudioEncoderCore::Open(AVSampleFormat inputFormat) {
  AudioEncoderSetup setup;
  setup.config = config_;
  setup.sampleRate = codecRate_;
  setup.inputRate = inputRate_;
  setup.channels = channels_;
  setup.inputFormat = inputFormat;
  encoder_.reset();
  std::unique_ptr<AudioPacketEncoder> encoder = OpenAudioPacketEncoder(setup);
  sampleFormat_ = encoder->SampleFormat();

  fifo_.reset(av_audio_fifo_alloc(sampleFormat_, channels_, std::max(encoder->FrameSize(), 1024)));
  if (!fifo_) throw std::bad_alloc();
  formatSwr_.reset();
  formatSwrInput_ = AV_SAMPLE_FMT_NONE;
  rateSwr_.reset();
  if (codecRate_ != inputRate_) {
    SwrContext* swr = nullptr;
    if (swr_alloc_set_opts2(&swr, &layout_, sampleFormat_, codecRate_, &layout_, sampleFormat_, inputRate_, 0, nullptr) < 0 ||
        swr_init(swr) < 0) {
      swr_free(&swr);
      ThrowCodecError("NotSupportedError", "cannot resample " + std::to_string(inputRate_) + " Hz to " +
                                               std::to_string(codecRate_) + " Hz for " + config_.String("encoder"));
    }
    rateSwr_.reset(swr);
  }

  description_.reset();
  extradata_ = encoder->Extradata();
  const std::string descriptionFormat = config_.String("descriptionFormat");
  if (descriptionFormat == "extradata") {
    description_ = extradata_;
  } else if (descriptionFormat == "flac") {
    // FFmpeg's extradata is the bare 34-byte STREAMINFO; the registration wants the stream
    // header: "fLaC" then STREAMINFO as the last metadata block.
    std::vector<uint8_t> d = {'f', 'L', 'a', 'C', 0x80, 0, 0, static_cast<uint8_t>(extradata_.size())};
    d.insert(d.end(), extradata_.begin(), extradata_.end());
    description_ = std::move(d);
  } else if (descriptionFormat == "xiph") {
    description_ = VorbisDescription(extradata_.data(), static_cast<int>(extradata_.size()));
  }
  adts_ = config_.Bool("adts", false);
  if (adts_ && extradata_.size() < 2) ThrowCodecError("NotSupportedError", "the AAC encoder gave no AudioSpecificConfig");

  delay_ = encoder->Delay();
  firstPacketPts_.reset();
  samplesSent_ = 0;
  nextPacketStart_ = 0;
  baseTimestamp_.reset();
  announceConfig_ = true;
  encoder_ = std::move(encoder);
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
  if (!encoder_ || (fresh && encoder_->FormatFor(format) != sampleFormat_)) Open(format);
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
  return anchor->second + SamplesToMicros(sample - anchor->first, codecRate_);
}

void AudioEncoderCore::Queue(const AVFrame* frame) {
  FramePtr converted;
  if (frame->format != sampleFormat_) {
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
    if (swr_alloc_set_opts2(&swr, &layout_, sampleFormat_, frame->sample_rate,
                            const_cast<AVChannelLayout*>(&frame->ch_layout), format, frame->sample_rate, 0, nullptr) < 0 ||
        swr_init(swr) < 0) {
      swr_free(&swr);
      ThrowCodecError("EncodingError", "cannot convert this AudioData's sample format for the encoder");
    }
    formatSwr_.reset(swr);
    formatSwrInput_ = format;
  }
  FramePtr dst = AllocateFrame(sampleFormat_, layout_, frame->sample_rate, frame->nb_samples);
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
  FramePtr dst = AllocateFrame(sampleFormat_, layout_, codecRate_, capacity);
  const int got = swr_convert(rateSwr_.get(), dst->extended_data, capacity,
                              frame ? const_cast<const uint8_t**>(frame->extended_data) : nullptr, inSamples);
  if (got < 0) ThrowCodecError("EncodingError", "resampling failed: " + AvErrorString(got));
  if (av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(dst->extended_data), got) < 0) throw std::bad_alloc();
  samplesQueued_ += got;
}

// Sends every whole codec frame in the FIFO; with `final`, the remainder as a short last frame
// (or padded with silence for codecs that cannot take one).
void AudioEncoderCore::EncodeQueued(bool final, const OutputSink& out) {
  const int frameSize = encoder_->FrameSize();  // 0: the codec takes any number of samples (PCM)
  const bool smallLast = encoder_->TakesShortLastFrame();
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
    FramePtr frame = AllocateFrame(sampleFormat_, layout_, codecRate_, samples);
    if (av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->extended_data), take) != take) {
      ThrowCodecError("EncodingError", "the sample queue lost samples");
    }
    if (samples > take) {
      av_samples_set_silence(frame->extended_data, take, samples - take, channels_, sampleFormat_);
    }
    frame->pts = samplesSent_;
    samplesSent_ += samples;
    encoder_->Send(frame.get());
    Receive(out);
  }
}

void AudioEncoderCore::Receive(const OutputSink& out) {
  PacketPtr packet = MakePacket();
  if (!packet) throw std::bad_alloc();
  while (encoder_->Receive(packet.get())) {
    Emit(packet.get(), out);
    av_packet_unref(packet.get());
  }
}

void AudioEncoderCore::Emit(const AVPacket* packet, const OutputSink& out) {
  const int rate = codecRate_;
  // Packet pts count codec samples from the first input sample; priming comes first, at negative
  // pts (the encoder's Delay(), or a Vorbis first packet that decoders turn into no audio). Counting
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
  if (!encoder_) return;
  if (rateSwr_) Resample(nullptr);
  EncodeQueued(true, out);
  encoder_->Send(nullptr);
  Receive(out);
  // An encoder is not given audio after draining (libavcodec encoders cannot take any after
  // EOF): the next AudioData re-opens one with the same settings and starts a new timeline, with
  // its priming, at its own timestamp.
  encoder_.reset();
  fifo_.reset();
  rateSwr_.reset();
  formatSwr_.reset();
  baseTimestamp_.reset();
}

}  // namespace wcs
