// Video decoding on libavcodec. Runs on the codec's worker thread only.
#include "video_decoder_core.h"

#include <cstring>

#include "buffer_pool.h"
#include "chunk_check.h"
#include "pixel_format.h"

namespace wcs {

void VideoDecoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (context_) Drain(out);  // a new configuration applies after the frames already sent
  const std::string name = config.String("decoder");
  const AVCodec* codec = avcodec_find_decoder_by_name(name.c_str());
  if (codec == nullptr) ThrowCodecError("NotSupportedError", "decoder " + name + " is not available in this FFmpeg build");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (const ConfigMap::Bytes* description = config.BytesOf("description")) {
    ctx->extradata = static_cast<uint8_t*>(av_mallocz(description->size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (ctx->extradata == nullptr) throw std::bad_alloc();
    if (!description->empty()) std::memcpy(ctx->extradata, description->data(), description->size());
    ctx->extradata_size = static_cast<int>(description->size());
  }
  // Hints only: the bitstream's own sizes win.
  if (config.Has("codedWidth")) ctx->width = static_cast<int>(config.Int("codedWidth", 0));
  if (config.Has("codedHeight")) ctx->height = static_cast<int>(config.Int("codedHeight", 0));
  ctx->thread_count = static_cast<int>(config.Int("threads", 0));
  const bool lowLatency = config.Bool("optimizeForLatency", false);
  // Frame threading holds one frame per thread before the first output; latency-sensitive users
  // get slice threading only.
  ctx->thread_type = lowLatency ? FF_THREAD_SLICE : (FF_THREAD_FRAME | FF_THREAD_SLICE);
  // A damaged chunk is an EncodingError (as in browsers), not a silently concealed picture.
  ctx->err_recognition |= AV_EF_EXPLODE;
  ctx->pkt_timebase = AVRational{1, 1000000};
  // dav1d keeps several frames in flight unless told to return each one as soon as it can (its
  // FFmpeg 5.1 wrapper maps the low-delay flag to max_frame_delay = 1). Not for h264: there the
  // flag would disable output reordering.
  if (lowLatency && name == "libdav1d") ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  const int err = avcodec_open2(ctx.get(), codec, nullptr);
  if (err < 0) {
    ThrowCodecError("NotSupportedError", "decoder " + name + " rejected this configuration (" + AvErrorString(err) +
                                             "); check the description (avcC, hvcC) matches the codec string");
  }
  context_ = std::move(ctx);
  kind_ = config.String("kind");
  nalLengthSize_ = 0;
  if (const ConfigMap::Bytes* d = config.BytesOf("description")) {
    // avcC: lengthSizeMinusOne in byte 4; hvcC: in byte 21 (both validated in JavaScript).
    if (kind_ == "avc" && d->size() > 4) nalLengthSize_ = ((*d)[4] & 3) + 1;
    if (kind_ == "hevc" && d->size() > 21) nalLengthSize_ = ((*d)[21] & 3) + 1;
  }
  timestamps_.Clear();
}

void VideoDecoderCore::Send(CodecInput& input, const OutputSink& out) {
  AVPacket* packet = input.packet.get();
  const std::string invalid = InvalidChunkReason(kind_, packet->data, static_cast<size_t>(packet->size), nalLengthSize_);
  if (!invalid.empty()) {
    ThrowCodecError("EncodingError", "the chunk at timestamp " + std::to_string(input.timestamp) + " cannot be decoded: " + invalid +
                                         "; it may be corrupt or not match the configuration");
  }
  packet->pts = timestamps_.Add(input.timestamp, input.duration);
  packet->dts = AV_NOPTS_VALUE;
  if (input.key) packet->flags |= AV_PKT_FLAG_KEY;
  SendPacket(context_.get(), packet, input.timestamp, [&] { Receive(out); });
  Receive(out);
}

void VideoDecoderCore::Receive(const OutputSink& out) {
  for (;;) {
    FramePtr frame = MakeFrame();
    const int err = avcodec_receive_frame(context_.get(), frame.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) ThrowCodecError("EncodingError", "decoding failed (" + AvErrorString(err) + "); the stream may be corrupt");
    if ((frame->flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame->decode_error_flags != 0) {
      ThrowCodecError("EncodingError", "a picture could not be decoded intact; the stream is corrupt or a reference is missing");
    }
    auto output = std::make_unique<FrameOutput>();
    const int64_t pts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
    if (auto entry = timestamps_.Take(pts)) {
      output->timestamp = entry->timestamp;
      output->duration = entry->duration;
    }
    output->frame = ToNamedFormat(std::move(frame));
    out(std::move(output));
  }
}

// Decoders can output formats WebCodecs has no name for (yuvj420p, gbrp, ...): convert those.
FramePtr VideoDecoderCore::ToNamedFormat(FramePtr frame) {
  // The JPEG-range formats have I420/I422/I444's layout: relabel, do not convert.
  switch (frame->format) {
    case AV_PIX_FMT_YUVJ420P: frame->format = AV_PIX_FMT_YUV420P; frame->color_range = AVCOL_RANGE_JPEG; return frame;
    case AV_PIX_FMT_YUVJ422P: frame->format = AV_PIX_FMT_YUV422P; frame->color_range = AVCOL_RANGE_JPEG; return frame;
    case AV_PIX_FMT_YUVJ444P: frame->format = AV_PIX_FMT_YUV444P; frame->color_range = AVCOL_RANGE_JPEG; return frame;
    default: break;
  }
  const AVPixelFormat target = NearestNamedPixelFormat(static_cast<AVPixelFormat>(frame->format));
  if (target == AV_PIX_FMT_NONE) return frame;
  sws_.reset(sws_getCachedContext(sws_.release(), frame->width, frame->height, static_cast<AVPixelFormat>(frame->format),
                                  frame->width, frame->height, target, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) ThrowCodecError("EncodingError", "cannot convert the decoder's pixel format");
  FramePtr dst = MakeFrame();
  dst->format = target;
  dst->width = frame->width;
  dst->height = frame->height;
  if (AllocatePooledFrame(dst.get()) < 0) throw std::bad_alloc();
  av_frame_copy_props(dst.get(), frame.get());
  sws_scale(sws_.get(), frame->data, frame->linesize, 0, frame->height, dst->data, dst->linesize);
  return dst;
}

void VideoDecoderCore::Drain(const OutputSink& out) {
  if (!context_) return;
  const int err = avcodec_send_packet(context_.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) ThrowCodecError("EncodingError", "flush failed: " + AvErrorString(err));
  Receive(out);
  avcodec_flush_buffers(context_.get());  // ready for a key chunk, as the spec requires after flush
  timestamps_.Clear();
}

}  // namespace wcs
