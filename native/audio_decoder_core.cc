// Audio decoding on libavcodec. Runs on the codec's worker thread only.
//
// Outputs keep the decoder's natural sample format when WebCodecs has a name for it (fltp ->
// f32-planar, s16 -> s16, 24-bit PCM/FLAC -> s32 with the samples in the top 24 bits, as the
// spec asks for 24-bit content); s64/dbl outputs are converted to f32 of the same arrangement.
// Timestamps are sample-accurate: the first chunk's timestamp plus the samples output so far,
// so consecutive AudioData tile the timeline exactly, whatever the codec's packet structure; a
// gap in the chunks' timestamps re-anchors the count at the chunk's timestamp.
#include "audio_decoder_core.h"

#include <cstdlib>
#include <cstring>

#include "sample_format.h"

namespace wcs {
namespace {

int64_t SamplesToMicros(int64_t samples, int rate) {
  return av_rescale_rnd(samples, 1000000, rate, AV_ROUND_NEAR_INF);
}

using Bytes = std::vector<uint8_t>;

// FLAC registration: "fLaC" followed by the STREAMINFO metadata block (and maybe others).
// FFmpeg wants the bare 34-byte STREAMINFO; a bare STREAMINFO is accepted as given.
Bytes FlacExtradata(const Bytes& d) {
  constexpr size_t kStreamInfo = 34;
  if (d.size() == kStreamInfo) return d;
  if (d.size() < 8 + kStreamInfo || std::memcmp(d.data(), "fLaC", 4) != 0 || (d[4] & 0x7f) != 0) {
    ThrowCodecError("NotSupportedError", "FLAC description must be \"fLaC\" followed by a STREAMINFO metadata block");
  }
  const size_t length = (static_cast<size_t>(d[5]) << 16) | (d[6] << 8) | d[7];
  if (length < kStreamInfo || d.size() < 8 + length) {
    ThrowCodecError("NotSupportedError", "FLAC description: the STREAMINFO block is truncated");
  }
  return Bytes(d.begin() + 8, d.begin() + 8 + kStreamInfo);
}

// Vorbis registration: page_segments, the Ogg segment table, then the identification, comment
// and setup headers. FFmpeg wants Xiph lacing: 2, the laced sizes of the first two headers, then
// the three headers. A segment table that ends after the second header (the third header's size
// is then "the rest", as in FFmpeg's own extradata) is accepted too.
Bytes VorbisExtradata(const Bytes& d) {
  auto invalid = []() -> Bytes {
    ThrowCodecError("NotSupportedError",
                    "Vorbis description must be page_segments, the segment table and the three Vorbis header packets");
  };
  if (d.empty()) return invalid();
  const size_t segments = d[0];
  if (d.size() < 1 + segments) return invalid();
  std::vector<size_t> sizes;
  size_t current = 0;
  for (size_t i = 0; i < segments && sizes.size() < 3; i++) {
    current += d[1 + i];
    if (d[1 + i] < 255) {
      sizes.push_back(current);
      current = 0;
    }
  }
  const size_t headerStart = 1 + segments;
  const size_t available = d.size() - headerStart;
  if (sizes.size() == 2 && current == 0 && available > sizes[0] + sizes[1]) sizes.push_back(available - sizes[0] - sizes[1]);
  if (sizes.size() != 3 || sizes[0] + sizes[1] + sizes[2] > available) return invalid();
  const uint8_t* headers = d.data() + headerStart;
  size_t offset = 0;
  for (int i = 0; i < 3; i++) {
    const uint8_t type = static_cast<uint8_t>(1 + 2 * i);  // 1 identification, 3 comment, 5 setup
    if (sizes[i] < 7 || headers[offset] != type || std::memcmp(headers + offset + 1, "vorbis", 6) != 0) return invalid();
    offset += sizes[i];
  }
  Bytes out = {2};
  for (int i = 0; i < 2; i++) {
    size_t size = sizes[i];
    for (; size >= 255; size -= 255) out.push_back(255);
    out.push_back(static_cast<uint8_t>(size));
  }
  out.insert(out.end(), headers, headers + sizes[0] + sizes[1] + sizes[2]);
  return out;
}

Bytes ToExtradata(const std::string& kind, const Bytes& description) {
  if (kind == "flac") return FlacExtradata(description);
  if (kind == "vorbis") return VorbisExtradata(description);
  return description;  // AudioSpecificConfig and OpusHead are FFmpeg's extradata as they are
}

// Planar audio with more channels than AVFrame::data holds, re-laid out in one buffer with
// equally spaced planes, so every channel is reachable from plane 0 (what NativeFrame's row
// copies rely on beyond the eighth channel).
FramePtr OneBufferPlanar(const AVFrame* src) {
  const auto format = static_cast<AVSampleFormat>(src->format);
  const int channels = src->ch_layout.nb_channels;
  FramePtr dst = MakeFrame();
  if (!dst) throw std::bad_alloc();
  dst->format = format;
  dst->sample_rate = src->sample_rate;
  dst->nb_samples = src->nb_samples;
  if (av_channel_layout_copy(&dst->ch_layout, &src->ch_layout) < 0 || av_frame_copy_props(dst.get(), src) < 0) throw std::bad_alloc();
  int linesize = 0;
  const int size = av_samples_get_buffer_size(&linesize, channels, src->nb_samples, format, 1);
  dst->buf[0] = av_buffer_alloc(size);
  dst->extended_data = static_cast<uint8_t**>(av_calloc(channels, sizeof(uint8_t*)));
  if (dst->buf[0] == nullptr || dst->extended_data == nullptr) throw std::bad_alloc();
  av_samples_fill_arrays(dst->extended_data, &dst->linesize[0], dst->buf[0]->data, channels, src->nb_samples, format, 1);
  for (int c = 0; c < AV_NUM_DATA_POINTERS; c++) dst->data[c] = dst->extended_data[c];
  av_samples_copy(dst->extended_data, src->extended_data, 0, 0, src->nb_samples, channels, format);
  return dst;
}

}  // namespace

void AudioDecoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (context_) Drain(out);  // a new configuration applies after the chunks already sent
  const std::string name = config.String("decoder");
  const AVCodec* codec = avcodec_find_decoder_by_name(name.c_str());
  if (codec == nullptr) ThrowCodecError("NotSupportedError", "decoder " + name + " is not available in this FFmpeg build");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw std::bad_alloc();
  // Used by the codecs whose bitstream does not say (PCM, G.711, Opus without a description);
  // the others take theirs from the description or the stream.
  ctx->sample_rate = static_cast<int>(config.Int("sampleRate", 0));
  av_channel_layout_default(&ctx->ch_layout, static_cast<int>(config.Int("numberOfChannels", 0)));
  if (const ConfigMap::Bytes* description = config.BytesOf("description")) {
    const Bytes extradata = ToExtradata(config.String("kind"), *description);
    ctx->extradata = static_cast<uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (ctx->extradata == nullptr) throw std::bad_alloc();
    if (!extradata.empty()) std::memcpy(ctx->extradata, extradata.data(), extradata.size());
    ctx->extradata_size = static_cast<int>(extradata.size());
  }
  ctx->pkt_timebase = AVRational{1, 1000000};
  const int err = avcodec_open2(ctx.get(), codec, nullptr);
  if (err < 0) {
    ThrowCodecError("NotSupportedError", "decoder " + name + " rejected this configuration (" + AvErrorString(err) +
                                             "); check the description matches the codec registration");
  }
  context_ = std::move(ctx);
  baseTimestamp_.reset();
  ptsOffset_.reset();
  samplesOut_ = 0;
  rate_ = 0;
}

void AudioDecoderCore::Send(CodecInput& input, const OutputSink& out) {
  AVPacket* packet = input.packet.get();
  packet->pts = input.timestamp;
  packet->dts = AV_NOPTS_VALUE;
  if (!baseTimestamp_) baseTimestamp_ = input.timestamp;
  SendPacket(context_.get(), packet, input.timestamp, [&] { Receive(out); });
  Receive(out);
}

void AudioDecoderCore::Receive(const OutputSink& out) {
  for (;;) {
    FramePtr frame = MakeFrame();
    const int err = avcodec_receive_frame(context_.get(), frame.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) ThrowCodecError("EncodingError", "decoding failed (" + AvErrorString(err) + "); the stream may be corrupt");
    if (frame->nb_samples <= 0 || frame->sample_rate <= 0) continue;
    if (frame->sample_rate != rate_) {
      // A new rate mid-stream (e.g. implicit SBR): continue the timeline from where it is.
      if (rate_ > 0) *baseTimestamp_ += SamplesToMicros(samplesOut_, rate_);
      samplesOut_ = 0;
      rate_ = frame->sample_rate;
    }
    // Contiguous audio is timed by counting samples (exact tiling); when the decoder's timestamp
    // (the chunk's, in microseconds) is not where the samples before end, the input timeline has
    // a gap and the outputs follow the chunks, as the spec's "Output AudioData" says.
    // Decoders that drop priming (Opus pre-skip, Vorbis) shift their timestamps by it: that
    // constant offset, seen on the first output, is not a gap.
    const int64_t pts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
    if (pts != AV_NOPTS_VALUE) {
      const int64_t expected = *baseTimestamp_ + SamplesToMicros(samplesOut_, rate_);
      if (!ptsOffset_) {
        ptsOffset_ = pts - expected;
      } else if (std::llabs(pts - *ptsOffset_ - expected) > 1000000 / rate_ + 1) {
        baseTimestamp_ = pts - *ptsOffset_;
        samplesOut_ = 0;
      }
    }
    auto output = std::make_unique<FrameOutput>();
    output->timestamp = *baseTimestamp_ + SamplesToMicros(samplesOut_, rate_);
    samplesOut_ += frame->nb_samples;
    output->frame = ToWebCodecsLayout(std::move(frame));
    out(std::move(output));
  }
}

FramePtr AudioDecoderCore::ToWebCodecsLayout(FramePtr frame) {
  const auto format = static_cast<AVSampleFormat>(frame->format);
  if (SampleFormatName(format).empty()) {
    const AVSampleFormat target = av_sample_fmt_is_planar(format) ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT;
    if (!swr_ || swrInput_ != format) {
      SwrContext* swr = nullptr;
      if (swr_alloc_set_opts2(&swr, &frame->ch_layout, target, frame->sample_rate, &frame->ch_layout, format,
                              frame->sample_rate, 0, nullptr) < 0 ||
          swr_init(swr) < 0) {
        swr_free(&swr);
        ThrowCodecError("EncodingError", "cannot convert the decoder's sample format");
      }
      swr_.reset(swr);
      swrInput_ = format;
    }
    FramePtr dst = MakeFrame();
    if (!dst) throw std::bad_alloc();
    dst->format = target;
    dst->sample_rate = frame->sample_rate;
    dst->nb_samples = frame->nb_samples;
    if (av_channel_layout_copy(&dst->ch_layout, &frame->ch_layout) < 0 || av_frame_get_buffer(dst.get(), 0) < 0 ||
        av_frame_copy_props(dst.get(), frame.get()) < 0) {
      throw std::bad_alloc();
    }
    const int got = swr_convert(swr_.get(), dst->extended_data, dst->nb_samples,
                                const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
    if (got < 0) ThrowCodecError("EncodingError", "sample format conversion failed: " + AvErrorString(got));
    frame = std::move(dst);
  }
  if (av_sample_fmt_is_planar(static_cast<AVSampleFormat>(frame->format)) && frame->ch_layout.nb_channels > AV_NUM_DATA_POINTERS) {
    return OneBufferPlanar(frame.get());
  }
  return frame;
}

void AudioDecoderCore::Drain(const OutputSink& out) {
  if (!context_) return;
  const int err = avcodec_send_packet(context_.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) ThrowCodecError("EncodingError", "flush failed: " + AvErrorString(err));
  Receive(out);
  avcodec_flush_buffers(context_.get());  // ready for new chunks; their timestamps start a new timeline
  baseTimestamp_.reset();
  ptsOffset_.reset();
  samplesOut_ = 0;
  rate_ = 0;
}

}  // namespace wcs
