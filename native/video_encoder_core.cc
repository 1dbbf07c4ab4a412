// VideoEncoder's core: the steps every encoder library shares, around a FrameEncoder
// (frame_encoder.h) that does the encoding. Runs on the codec's worker thread only.
#include "video_encoder_core.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "codec_outputs.h"
#include "h264_bitstream.h"
#include "hevc_bitstream.h"
#include "buffer_pool.h"
#include "pixel_format.h"

namespace wcs {
namespace {

VideoColour ColourOf(const ConfigMap& options) {
  VideoColour c;
  c.primaries = static_cast<int>(options.Int("primaries", 2));
  c.transfer = static_cast<int>(options.Int("transfer", 2));
  c.matrix = static_cast<int>(options.Int("matrix", 2));
  if (options.Has("fullRange")) c.range = options.Bool("fullRange", false) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  // RGB frames are converted to YUV with BT.709 coefficients at limited range (Convert), and that
  // is what the bitstream must say.
  if (c.matrix == AVCOL_SPC_RGB) {
    c.matrix = AVCOL_SPC_BT709;
    c.range = AVCOL_RANGE_MPEG;
  }
  return c;
}

}  // namespace

VideoEncoderCore::~VideoEncoderCore() = default;

void VideoEncoderCore::Configure(const ConfigMap& config, const OutputSink& out) {
  if (encoder_) Drain(out);  // reconfigure in order: outputs of the old settings come first
  config_ = config;
  setup_ = EncoderSetup{};
  setup_.config = config;
  setup_.width = static_cast<int>(config.Int("width", 0));
  setup_.height = static_cast<int>(config.Int("height", 0));
  setup_.pixelFormat = PixelFormatFromName(config.String("pixelFormat", "I420"));
  setup_.framerate = av_d2q(config.Number("framerate", 30), 1001000);
  if (config.Has("displayWidth") && config.Has("displayHeight")) {
    av_reduce(&setup_.sampleAspect.num, &setup_.sampleAspect.den, config.Int("displayWidth", setup_.width) * setup_.height,
              config.Int("displayHeight", setup_.height) * setup_.width, 1 << 30);
  }
  bitstream_ = config.String("format", "");
  setup_.globalHeader = bitstream_ == "avc" || bitstream_ == "hevc";
  setup_.temporalLayers = static_cast<int>(config.Int("temporalLayers", 1));
  Open();
}

void VideoEncoderCore::Open() {
  encoder_ = OpenFrameEncoder(setup_);
  description_.reset();
  if (setup_.globalHeader) {
    const std::vector<uint8_t> headers = encoder_->Headers();
    if (!headers.empty()) {
      description_ = bitstream_ == "avc" ? BuildAvcC(headers.data(), static_cast<int>(headers.size()))
                                         : BuildHvcC(headers.data(), static_cast<int>(headers.size()));
    }
    if (!description_ || description_->empty()) ThrowCodecError("EncodingError", config_.String("encoder") + " produced no parameter sets");
  }
  announceConfig_ = true;
  framesSent_ = false;
  layerPosition_ = 0;
  layerOfPts_.clear();
}

void VideoEncoderCore::Send(CodecInput& input, const OutputSink& out) {
  // Encoders write the colour description into the sequence header at open: (re)open with the
  // first frame's colour before any frame is in the encoder. Also re-opens after a flush, since
  // encoders cannot continue after draining.
  const VideoColour colour = ColourOf(input.options);
  if (!encoder_ || (!framesSent_ && colour != setup_.colour)) {
    setup_.colour = colour;
    Open();
  }
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
  if (frame->format != setup_.pixelFormat || frame->width != setup_.width || frame->height != setup_.height) {
    frame = Convert(frame.get());
  }
  frame->color_primaries = static_cast<AVColorPrimaries>(setup_.colour.primaries);
  frame->color_trc = static_cast<AVColorTransferCharacteristic>(setup_.colour.transfer);
  frame->colorspace = static_cast<AVColorSpace>(setup_.colour.matrix);
  frame->color_range = static_cast<AVColorRange>(setup_.colour.range);
  frame->pts = timestamps_.Add(input.timestamp, input.duration);

  FrameControls controls;
  controls.keyFrame = input.options.Bool("keyFrame", false);
  if (input.options.Has("quantizer")) controls.quantizer = static_cast<int>(input.options.Int("quantizer", 0));
  if (setup_.temporalLayers > 1) {
    if (controls.keyFrame) layerPosition_ = 0;  // a key frame restarts the pattern
    controls.layerPosition = layerPosition_++;
    controls.temporalLayer = TemporalLayerAt(setup_.temporalLayers, controls.layerPosition);
    layerOfPts_[frame->pts] = controls.temporalLayer;
  }
  encoder_->Send(frame.get(), controls);
  framesSent_ = true;
  Receive(out);
}

FramePtr VideoEncoderCore::Convert(const AVFrame* src) {
  const AVPixelFormat srcFormat = static_cast<AVPixelFormat>(src->format);
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, srcFormat, setup_.width, setup_.height,
                                  setup_.pixelFormat, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) ThrowCodecError("EncodingError", "cannot convert this frame's pixel format for the encoder");
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(srcFormat);
  if (desc != nullptr && (desc->flags & AV_PIX_FMT_FLAG_RGB)) {
    // RGB to YUV with BT.709 coefficients at limited range, as ColourOf signals.
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws_.get(), bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
  }
  FramePtr dst = MakeFrame();
  dst->format = setup_.pixelFormat;
  dst->width = setup_.width;
  dst->height = setup_.height;
  if (AllocatePooledFrame(dst.get()) < 0) throw std::bad_alloc();
  av_frame_copy_props(dst.get(), src);
  sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
  return dst;
}

void VideoEncoderCore::Receive(const OutputSink& out) {
  PacketPtr packet = MakePacket();
  while (encoder_->Receive(packet.get())) {
    auto output = std::make_unique<PacketOutput>();
    if (bitstream_ == "avc" || bitstream_ == "hevc") {
      output->data = AnnexBToLengthPrefixed(packet->data, packet->size);
    } else {
      output->data.assign(packet->data, packet->data + packet->size);
    }
    output->key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
    if (auto entry = timestamps_.Take(packet->pts)) {
      output->timestamp = entry->timestamp;
      output->duration = entry->duration;
    }
    if (setup_.temporalLayers > 1) {
      auto it = layerOfPts_.find(packet->pts);
      if (it != layerOfPts_.end()) {
        output->extra.Set("temporalLayerId", static_cast<double>(it->second));
        layerOfPts_.erase(it);
      }
    }
    size_t alphaSize = 0;
    // libvpx's alpha: a second VP8/VP9 stream of the alpha plane, as Matroska BlockAdditional
    // (an 8-byte BlockAddID, then the frame).
    if (const uint8_t* alpha = av_packet_get_side_data(packet.get(), AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, &alphaSize)) {
      if (alphaSize > 8) output->extra.Set("alphaSideData", ConfigMap::Bytes(alpha + 8, alpha + alphaSize));
    }
    if (announceConfig_) {
      // What the decoderConfig describes comes from the configuration this encoder was opened
      // with: outputs drained by a reconfigure belong to the previous one.
      output->newConfig = true;
      if (description_) output->description = description_;
      output->extra.Set("codec", config_.String("codec"));
      output->extra.Set("codedWidth", static_cast<double>(setup_.width));
      output->extra.Set("codedHeight", static_cast<double>(setup_.height));
      if (config_.Has("displayWidth") && config_.Has("displayHeight")) {
        output->extra.Set("displayAspectWidth", config_.Number("displayWidth", setup_.width));
        output->extra.Set("displayAspectHeight", config_.Number("displayHeight", setup_.height));
      }
      if (setup_.colour != VideoColour{}) {
        output->extra.Set("primaries", static_cast<double>(setup_.colour.primaries));
        output->extra.Set("transfer", static_cast<double>(setup_.colour.transfer));
        output->extra.Set("matrix", static_cast<double>(setup_.colour.matrix));
        output->extra.Set("range", static_cast<double>(setup_.colour.range));
      }
      announceConfig_ = false;
    }
    out(std::move(output));
    av_packet_unref(packet.get());
  }
}

void VideoEncoderCore::Drain(const OutputSink& out) {
  if (!encoder_) return;
  encoder_->Send(nullptr, FrameControls{});
  Receive(out);
  // Encoders cannot take frames after draining: open again with the same settings on the next
  // frame (the next output is a key frame; JavaScript announces the description only if it changed).
  encoder_.reset();
  timestamps_.Clear();
}

}  // namespace wcs
