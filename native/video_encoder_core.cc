// Video encoding on libavcodec (libx264 today; the same send/receive loop serves every encoder).
// Runs on the codec's worker thread only.
#include <cmath>

#include "codec_outputs.h"
#include "h264_bitstream.h"
#include "pixel_format.h"
#include "video_encoder_core.h"

namespace wcs {
namespace {

std::string H264ProfileName(int profileIdc) {
  switch (profileIdc) {
    case 66: return "baseline";
    case 77: return "main";
    case 88: return "main";  // extended: x264 has no extended profile; main is a superset in practice
    case 100: return "high";
    case 110: return "high10";
    case 122: return "high422";
    case 244: return "high444";
    default: return "";
  }
}

}  // namespace

VideoEncoderCore::~VideoEncoderCore() = default;

void VideoEncoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (context_) Drain(out);  // reconfigure in order: outputs of the old settings come first
  config_ = config;
  Open();
}

void VideoEncoderCore::Open() {
  const std::string name = config_.String("encoder");
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  if (codec == nullptr) ThrowCodecError("NotSupportedError", "encoder " + name + " is not available in this FFmpeg build");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  width_ = static_cast<int>(config_.Int("width", 0));
  height_ = static_cast<int>(config_.Int("height", 0));
  ctx->width = width_;
  ctx->height = height_;
  pixelFormat_ = PixelFormatFromName(config_.String("pixelFormat", "I420"));
  ctx->pix_fmt = pixelFormat_;
  const double framerate = config_.Number("framerate", 30);
  ctx->framerate = av_d2q(framerate, 1001000);
  ctx->time_base = av_inv_q(ctx->framerate);
  ctx->thread_count = static_cast<int>(config_.Int("threads", 0));
  if (config_.Has("displayWidth") && config_.Has("displayHeight")) {
    av_reduce(&ctx->sample_aspect_ratio.num, &ctx->sample_aspect_ratio.den,
              config_.Int("displayWidth", width_) * height_, config_.Int("displayHeight", height_) * width_, 1 << 30);
  }
  const std::string bitrateMode = config_.String("bitrateMode", "variable");
  const bool realtime = config_.String("latencyMode", "quality") == "realtime";
  if (config_.Has("bitrate") && bitrateMode != "quantizer") {
    ctx->bit_rate = config_.Int("bitrate", 0);
    if (bitrateMode == "constant") {
      ctx->rc_max_rate = ctx->bit_rate;
      ctx->rc_min_rate = ctx->bit_rate;
      ctx->rc_buffer_size = static_cast<int>(std::min<int64_t>(ctx->bit_rate, INT32_MAX));
    }
  }
  ctx->gop_size = static_cast<int>(config_.Int("keyInterval", 250));
  if (config_.Has("primaries")) ctx->color_primaries = static_cast<AVColorPrimaries>(config_.Int("primaries", 2));
  if (config_.Has("transfer")) ctx->color_trc = static_cast<AVColorTransferCharacteristic>(config_.Int("transfer", 2));
  if (config_.Has("matrix")) ctx->colorspace = static_cast<AVColorSpace>(config_.Int("matrix", 2));
  if (config_.Has("fullRange")) ctx->color_range = config_.Bool("fullRange", false) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;

  bitstream_ = config_.String("format", "annexb");
  if (bitstream_ == "avc") ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  AVDictionary* raw = nullptr;
  if (name == "libx264") {
    av_dict_set(&raw, "preset", realtime ? "veryfast" : config_.String("preset", "medium").c_str(), 0);
    if (realtime) av_dict_set(&raw, "tune", "zerolatency", 0);
    av_dict_set(&raw, "forced-idr", "1", 0);
    const std::string profile = H264ProfileName(static_cast<int>(config_.Int("profile", 0)));
    if (!profile.empty()) av_dict_set(&raw, "profile", profile.c_str(), 0);
    if (config_.Has("level")) ctx->level = static_cast<int>(config_.Int("level", 0));
    if (bitrateMode == "quantizer" || !config_.Has("bitrate")) {
      // Per-frame quantizers come with each frame; without a bitrate x264 uses its CRF default.
      if (bitrateMode == "quantizer") av_dict_set(&raw, "qp", "23", 0);
    }
  }
  std::unique_ptr<AVDictionary*, void (*)(AVDictionary**)> options(&raw, [](AVDictionary** d) { av_dict_free(d); });
  const int err = avcodec_open2(ctx.get(), codec, options.get());
  if (err < 0) {
    ThrowCodecError("NotSupportedError",
                    name + " rejected this configuration (" + AvErrorString(err) +
                        "); check width/height (even for 4:2:0), profile and level with isConfigSupported()");
  }
  context_ = std::move(ctx);
  description_.reset();
  if (bitstream_ == "avc" && context_->extradata_size > 0) {
    description_ = BuildAvcC(context_->extradata, context_->extradata_size);
  }
  announceConfig_ = true;
}

void VideoEncoderCore::Send(CodecInput& input, const OutputSink& out) {
  if (!context_) Open();  // re-opened after a flush: the encoder cannot continue after EOF
  FramePtr frame = std::move(input.frame);
  if (input.options.Has("visibleWidth")) {
    // Encode the frame's visible rect (the spec scales it to the configured size if it differs).
    const int64_t x = input.options.Int("visibleX", 0), y = input.options.Int("visibleY", 0);
    const int64_t w = input.options.Int("visibleWidth", frame->width), h = input.options.Int("visibleHeight", frame->height);
    if (x != 0 || y != 0 || w != frame->width || h != frame->height) {
      frame->crop_left = x;
      frame->crop_top = y;
      frame->crop_right = frame->width - x - w;
      frame->crop_bottom = frame->height - y - h;
      av_frame_apply_cropping(frame.get(), AV_FRAME_CROP_UNALIGNED);
    }
  }
  if (frame->format != pixelFormat_ || frame->width != width_ || frame->height != height_) {
    frame = Convert(frame.get());
  }
  frame->pts = timestamps_.Add(input.timestamp, input.duration);
  frame->pict_type = input.options.Bool("keyFrame", false) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (input.options.Has("quantizer")) frame->quality = static_cast<int>(input.options.Int("quantizer", 0) * FF_QP2LAMBDA);
  const int err = avcodec_send_frame(context_.get(), frame.get());
  if (err < 0) ThrowCodecError("EncodingError", "the encoder rejected a frame: " + AvErrorString(err));
  Receive(out);
}

FramePtr VideoEncoderCore::Convert(const AVFrame* src) {
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, static_cast<AVPixelFormat>(src->format),
                                  width_, height_, pixelFormat_, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) ThrowCodecError("EncodingError", "cannot convert this frame's pixel format for the encoder");
  FramePtr dst = MakeFrame();
  dst->format = pixelFormat_;
  dst->width = width_;
  dst->height = height_;
  if (av_frame_get_buffer(dst.get(), 0) < 0) throw std::bad_alloc();
  av_frame_copy_props(dst.get(), src);
  sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
  return dst;
}

void VideoEncoderCore::Receive(const OutputSink& out) {
  PacketPtr packet = MakePacket();
  for (;;) {
    const int err = avcodec_receive_packet(context_.get(), packet.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) ThrowCodecError("EncodingError", "the encoder failed: " + AvErrorString(err));
    auto output = std::make_unique<PacketOutput>();
    if (bitstream_ == "avc") {
      output->data = AnnexBToLengthPrefixed(packet->data, packet->size);
    } else {
      output->data.assign(packet->data, packet->data + packet->size);
    }
    output->key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    if (auto entry = timestamps_.Take(packet->pts)) {
      output->timestamp = entry->timestamp;
      output->duration = entry->duration;
    }
    if (announceConfig_) {
      output->newConfig = true;
      if (description_) output->description = description_;
      announceConfig_ = false;
    }
    out(std::move(output));
    av_packet_unref(packet.get());
  }
}

void VideoEncoderCore::Drain(const OutputSink& out) {
  if (!context_) return;
  const int err = avcodec_send_frame(context_.get(), nullptr);
  if (err < 0 && err != AVERROR_EOF) ThrowCodecError("EncodingError", "flush failed: " + AvErrorString(err));
  Receive(out);
  // libavcodec encoders cannot take frames after EOF: re-open with the same settings on the next
  // frame (the next output is a key frame; JavaScript announces the description only if it changed).
  context_.reset();
  timestamps_.Clear();
}

}  // namespace wcs
