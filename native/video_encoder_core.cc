// Video encoding on libavcodec: one send/receive loop for every encoder; what differs per encoder
// (its private options, how it takes a per-frame quantizer) is one row of kEncoders below.
// Runs on the codec's worker thread only.
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

// The encoder's private options for one configuration; `params` collects the encoder library's
// own key=value list (x264-params, x265-params, aom-params).
struct Settings {
  AVDictionary* dict = nullptr;
  std::string params;
  ~Settings() { av_dict_free(&dict); }
  void Set(const char* key, const std::string& value) { av_dict_set(&dict, key, value.c_str(), 0); }
  void Param(const std::string& key, const std::string& value) {
    if (!params.empty()) params += ':';
    params += key + "=" + value;
  }
};

// How an encoder takes the registrations' per-frame quantizer ("bitrateMode: quantizer"). Each was
// checked by decoding the output and reading the quantizer back (h264 and vp9 decoders' exported
// encoding parameters, x265's per-frame CSV log, a VP8 frame-header parser).
enum class QuantizerPath {
  // Not supported (JavaScript answers isConfigSupported false).
  kNone,
  // x264/x265: FFmpeg 5.1 passes neither AVFrame.quality nor a runtime QP to them, but it passes a
  // region-of-interest QP offset per frame. The rate control is made to hold one QP for every
  // frame (CRF at kRoiBaseQp with qcomp=1: no complexity, I/P/B or macroblock-tree adjustment,
  // and adaptive quantization at a strength too small to move a block's QP by 0.5, which the ROI
  // path requires to be on); a whole-frame ROI offset then moves that frame to the requested QP.
  kRoiOffset,
  // libvpx: FFmpeg 5.1 re-applies AVCodecContext.qmax before every frame. With a starved CBR
  // target (1 kbit/s) the rate control always picks its largest allowed quantizer, so qmax is the
  // frame's quantizer, key frames included.
  kMaxQuantizer,
};

constexpr int kRoiBaseQp = 26;          // middle of H.264/HEVC's 0..51, so any QP is one offset away
constexpr int kRoiQpRange = 51;         // FFmpeg scales the ROI offset by 51 for 8-bit x264/x265
constexpr int kDefaultVpxQuantizer = 32;  // frames without a quantizer (libvpx 0..63 scale)

using ApplyFn = void (*)(const ConfigMap& config, AVCodecContext* ctx, Settings& settings);

struct EncoderRow {
  const char* name;
  const char* paramsOption;  // where Settings::params go, or nullptr
  ApplyFn apply;
  QuantizerPath quantizer;
};

bool Realtime(const ConfigMap& config) { return config.String("latencyMode", "quality") == "realtime"; }
bool QuantizerMode(const ConfigMap& config) { return config.String("bitrateMode", "variable") == "quantizer"; }

std::string H264ProfileName(int profileIdc) {
  switch (profileIdc) {
    case 66: return "baseline";
    case 77: return "main";
    case 100: return "high";
    default: return "";
  }
}

// Quantizer mode for x264/x265: rate control held at one QP (every frame type alike, no adaptive
// or tree-based offsets), so the per-frame whole-frame ROI offset sets each frame's QP exactly.
// `treeOption` is x264's "mbtree" or x265's "cutree".
void HoldQpForRoi(Settings& s, const char* treeOption) {
  s.Set("crf", std::to_string(kRoiBaseQp));
  s.Param("qcomp", "1");
  s.Param("aq-mode", "1");
  s.Param("aq-strength", "0.01");
  s.Param("ipratio", "1");
  s.Param("pbratio", "1");
  s.Param(treeOption, "0");
}

void ApplyX264(const ConfigMap& config, AVCodecContext* ctx, Settings& s) {
  // Realtime: no lookahead, no B-frames, sliced threads (tune zerolatency). Quality: x264's
  // default trade-off (lookahead, B-frames, macroblock tree).
  s.Set("preset", Realtime(config) ? "veryfast" : "medium");
  if (Realtime(config)) s.Set("tune", "zerolatency");
  s.Set("forced-idr", "1");  // keyFrame: true must give an IDR (a decoder can start there)
  const std::string profile = H264ProfileName(static_cast<int>(config.Int("profile", 0)));
  if (!profile.empty()) s.Set("profile", profile);
  ctx->level = static_cast<int>(config.Int("level", -99));  // -99: FF_LEVEL_UNKNOWN / AV_LEVEL_UNKNOWN
  if (QuantizerMode(config)) HoldQpForRoi(s, "mbtree");
}

void ApplyX265(const ConfigMap& config, AVCodecContext* /*ctx*/, Settings& s) {
  // x265 costs several times x264 per frame; "fast" keeps lookahead and B-frames for quality.
  s.Set("preset", Realtime(config) ? "ultrafast" : "fast");
  if (Realtime(config)) s.Set("tune", "zerolatency");
  s.Set("forced-idr", "1");
  s.Set("profile", config.Int("profile", 1) == 2 ? "main10" : "main");
  s.Param("log-level", "error");
  // Key frames are IDR: a CRA's leading pictures reference the previous GOP, so a decoder starting
  // at a key chunk would drop them.
  s.Param("open-gop", "0");
  const int64_t level = config.Int("level", 0);
  if (level > 0) {
    char text[16];
    std::snprintf(text, sizeof(text), "%.1f", static_cast<double>(level) / 30.0);
    s.Param("level-idc", text);
  }
  if (config.String("tier") == "high") s.Param("high-tier", "1");
  if (QuantizerMode(config)) HoldQpForRoi(s, "cutree");
}

void ApplyVpx(const ConfigMap& config, AVCodecContext* ctx, Settings& s) {
  const bool vp9 = std::strcmp(ctx->codec->name, "libvpx-vp9") == 0;
  const int layers = static_cast<int>(config.Int("temporalLayers", 1));
  const bool realtime = Realtime(config);
  s.Set("deadline", realtime ? "realtime" : "good");
  s.Set("cpu-used", realtime ? "8" : (vp9 ? "4" : "2"));
  // Per-frame settings (layer flags, qmax) apply to the frame being sent only without lookahead.
  if (realtime || layers > 1 || QuantizerMode(config)) s.Set("lag-in-frames", "0");
  if (vp9) s.Set("row-mt", "1");
  // Error-resilient VP9 frames neither use nor update the probability context carried between
  // frames, which upper-layer frames would otherwise change under the lower layers.
  if (vp9 && layers > 1) s.Set("error-resilient", "default");
  // libvpx codes alpha as a second stream that cannot follow alternate reference frames.
  if (ctx->pix_fmt == AV_PIX_FMT_YUVA420P) s.Set("auto-alt-ref", "0");
  if (vp9 && config.String("contentHint") == "text") s.Set("tune-content", "screen");
  if (QuantizerMode(config)) {
    ctx->qmin = 0;
    ctx->qmax = kDefaultVpxQuantizer;
    ctx->bit_rate = ctx->rc_min_rate = ctx->rc_max_rate = 1000;
    if (vp9) s.Set("aq-mode", "0");  // segment quantizer deltas would move blocks off the frame's quantizer
  } else if (!config.Has("bitrate")) {
    if (layers > 1) {
      // Temporal layers split a target bitrate: about 0.08 bit per pixel.
      ctx->bit_rate = static_cast<int64_t>(ctx->width * ctx->height * av_q2d(ctx->framerate) * 0.08);
    } else if (vp9) {
      s.Set("crf", "32");  // constant quality (VPX_Q) when no bitrate is asked for
    }
  }
  if (layers > 1) {
    // The layer structure (ids, frame-rate decimation, cumulative kbit/s per layer); the per-frame
    // reference flags come with each frame (VpxLayerFlags). FFmpeg's own ts_layering_mode is not
    // used: its patterns let upper-layer frames update the entropy context, so the lower layers
    // do not decode without them.
    const int64_t total = std::max<int64_t>(ctx->bit_rate / 1000, 1);
    std::string structure = "ts_number_layers=" + std::to_string(layers);
    if (layers == 2) {
      structure += ":ts_target_bitrate=" + std::to_string(total * 6 / 10) + "," + std::to_string(total);
      structure += ":ts_rate_decimator=2,1:ts_periodicity=2:ts_layer_id=0,1";
    } else {
      structure += ":ts_target_bitrate=" + std::to_string(total * 4 / 10) + "," + std::to_string(total * 6 / 10) + "," +
                   std::to_string(total);
      structure += ":ts_rate_decimator=4,2,1:ts_periodicity=4:ts_layer_id=0,2,1,2";
    }
    s.Set("ts-parameters", structure);
  }
}

// libvpx encode flags (vpx/vp8cx.h), which VP9 honours too.
constexpr int kNoRefLast = 1 << 16;
constexpr int kNoRefGolden = 1 << 17;
constexpr int kNoUpdateLast = 1 << 18;
constexpr int kNoUpdateEntropy = 1 << 20;
constexpr int kNoRefAltRef = 1 << 21;
constexpr int kNoUpdateGolden = 1 << 22;
constexpr int kNoUpdateAltRef = 1 << 23;

// One step of a temporal pattern: the layer and what the frame may reference and update. Lower
// layers never reference a higher layer's frames, and only the base layer updates the entropy
// context, so dropping the upper layers leaves a decodable stream.
struct LayerStep {
  int layer;
  int flags;
};
// L1T2: 0,1,0,1 - the base layer references and updates LAST; layer 1 references LAST only.
const LayerStep kTwoLayers[] = {
    {0, kNoRefGolden | kNoRefAltRef | kNoUpdateGolden | kNoUpdateAltRef},
    {1, kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy},
};
// L1T3: 0,2,1,2 - layer 1 references LAST (base) and updates GOLDEN; layer 2 references both
// and updates nothing.
const LayerStep kThreeLayers[] = {
    {0, kNoRefGolden | kNoRefAltRef | kNoUpdateGolden | kNoUpdateAltRef},
    {2, kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy},
    {1, kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateAltRef | kNoUpdateEntropy},
    {2, kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy},
};

void ApplyAom(const ConfigMap& config, AVCodecContext* /*ctx*/, Settings& s) {
  const bool realtime = Realtime(config);
  s.Set("usage", realtime ? "realtime" : "good");
  s.Set("cpu-used", realtime ? "8" : "6");
  if (realtime) s.Set("lag-in-frames", "0");
  s.Set("row-mt", "1");
  if (!config.Has("bitrate")) s.Set("crf", "32");
  if (config.Bool("screenContent", false) || config.String("contentHint") == "text") s.Param("tune-content", "screen");
}

// The same step as FFmpeg's VP9 "ref-frame-config" frame metadata (vpx_svc_ref_frame_config).
std::string Vp9RefFrameConfig(int flags) {
  const auto on = [&](int flag) { return (flags & flag) == 0 ? 1 : 0; };
  const int updateSlots = on(kNoUpdateLast) | on(kNoUpdateGolden) << 1 | on(kNoUpdateAltRef) << 2;
  return "rfc_lst_fb_idx=0:rfc_gld_fb_idx=1:rfc_alt_fb_idx=2:rfc_update_buffer_slot=" + std::to_string(updateSlots) +
         ":rfc_reference_last=" + std::to_string(on(kNoRefLast)) + ":rfc_reference_golden=" + std::to_string(on(kNoRefGolden)) +
         ":rfc_reference_alt_ref=" + std::to_string(on(kNoRefAltRef));
}

const EncoderRow kEncoders[] = {
    {"libx264", "x264-params", ApplyX264, QuantizerPath::kRoiOffset},
    {"libx265", "x265-params", ApplyX265, QuantizerPath::kRoiOffset},
    {"libvpx", nullptr, ApplyVpx, QuantizerPath::kMaxQuantizer},
    {"libvpx-vp9", nullptr, ApplyVpx, QuantizerPath::kMaxQuantizer},
    {"libaom-av1", "aom-params", ApplyAom, QuantizerPath::kNone},
};

const EncoderRow* FindEncoder(const std::string& name) {
  for (const EncoderRow& row : kEncoders) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

// The registrations' quantizer scales: H.264/HEVC QP 0..51; VP9 quantizer index 0..255, which
// libvpx takes on its 0..63 scale (index = 4 * q, and 63 -> 255), so the nearest q is used.
int VpxQuantizer(int64_t qindex) {
  if (qindex >= 254) return 63;
  return static_cast<int>(std::min<int64_t>(62, (std::max<int64_t>(qindex, 0) + 2) / 4));
}

void SetWholeFrameQpOffset(AVFrame* frame, int qp) {
  AVFrameSideData* sd = av_frame_new_side_data(frame, AV_FRAME_DATA_REGIONS_OF_INTEREST, sizeof(AVRegionOfInterest));
  if (sd == nullptr) throw std::bad_alloc();
  auto* roi = reinterpret_cast<AVRegionOfInterest*>(sd->data);
  roi->self_size = sizeof(AVRegionOfInterest);
  roi->top = 0;
  roi->left = 0;
  roi->bottom = frame->height;
  roi->right = frame->width;
  roi->qoffset = AVRational{std::clamp(qp, 0, kRoiQpRange) - kRoiBaseQp, kRoiQpRange};
}

VideoEncoderCore::Colour ColourOf(const ConfigMap& options) {
  VideoEncoderCore::Colour c;
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
  if (context_) Drain(out);  // reconfigure in order: outputs of the old settings come first
  config_ = config;
  colour_ = Colour{};
  Open();
}

void VideoEncoderCore::Open() {
  const std::string name = config_.String("encoder");
  const EncoderRow* row = FindEncoder(name);
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  if (row == nullptr || codec == nullptr) ThrowCodecError("NotSupportedError", "encoder " + name + " is not available in this FFmpeg build");
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
  if (config_.Has("bitrate") && bitrateMode != "quantizer") {
    ctx->bit_rate = config_.Int("bitrate", 0);
    if (bitrateMode == "constant") {
      // A one-second buffer at the target rate; libvpx/libaom switch to CBR when min = max = target.
      ctx->rc_max_rate = ctx->bit_rate;
      ctx->rc_min_rate = ctx->bit_rate;
      ctx->rc_buffer_size = static_cast<int>(std::min<int64_t>(ctx->bit_rate, INT32_MAX));
    }
  }
  ctx->gop_size = static_cast<int>(config_.Int("keyInterval", 250));
  ctx->color_primaries = static_cast<AVColorPrimaries>(colour_.primaries);
  ctx->color_trc = static_cast<AVColorTransferCharacteristic>(colour_.transfer);
  ctx->colorspace = static_cast<AVColorSpace>(colour_.matrix);
  ctx->color_range = static_cast<AVColorRange>(colour_.range);

  bitstream_ = config_.String("format", "");
  if (bitstream_ == "avc" || bitstream_ == "hevc") ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  temporalLayers_ = static_cast<int>(config_.Int("temporalLayers", 1));

  Settings settings;
  row->apply(config_, ctx.get(), settings);
  if (row->paramsOption != nullptr && !settings.params.empty()) settings.Set(row->paramsOption, settings.params);
  const int err = avcodec_open2(ctx.get(), codec, &settings.dict);
  if (err < 0) {
    ThrowCodecError("NotSupportedError",
                    name + " rejected this configuration (" + AvErrorString(err) +
                        "); check width/height (even for 4:2:0), profile and level with isConfigSupported()");
  }
  context_ = std::move(ctx);
  description_.reset();
  if (context_->extradata_size > 0) {
    if (bitstream_ == "avc") description_ = BuildAvcC(context_->extradata, context_->extradata_size);
    if (bitstream_ == "hevc") description_ = BuildHvcC(context_->extradata, context_->extradata_size);
    if (description_ && description_->empty()) ThrowCodecError("EncodingError", name + " produced no parameter sets");
  }
  announceConfig_ = true;
  framesSent_ = false;
  layerIndex_ = 0;
  layerOfPts_.clear();
}

void VideoEncoderCore::Send(CodecInput& input, const OutputSink& out) {
  // Encoders write the colour description into the sequence header at open: (re)open with the
  // first frame's colour before any frame is in the encoder. Also re-opens after a flush, since
  // libavcodec encoders cannot continue after EOF.
  const Colour colour = ColourOf(input.options);
  if (!context_ || (!framesSent_ && colour != colour_)) {
    colour_ = colour;
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
  if (frame->format != pixelFormat_ || frame->width != width_ || frame->height != height_) {
    frame = Convert(frame.get());
  }
  // Decoded frames may carry side data and picture types meant for another encoder.
  av_frame_remove_side_data(frame.get(), AV_FRAME_DATA_REGIONS_OF_INTEREST);
  frame->color_primaries = context_->color_primaries;
  frame->color_trc = context_->color_trc;
  frame->colorspace = context_->colorspace;
  frame->color_range = context_->color_range;
  frame->pts = timestamps_.Add(input.timestamp, input.duration);
  const bool keyFrame = input.options.Bool("keyFrame", false);
  frame->pict_type = keyFrame ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (QuantizerMode(config_)) {
    switch (FindEncoder(config_.String("encoder"))->quantizer) {
      case QuantizerPath::kRoiOffset:
        SetWholeFrameQpOffset(frame.get(), static_cast<int>(input.options.Int("quantizer", kRoiBaseQp)));
        break;
      case QuantizerPath::kMaxQuantizer:
        context_->qmax = input.options.Has("quantizer") ? VpxQuantizer(input.options.Int("quantizer", 0)) : kDefaultVpxQuantizer;
        break;
      case QuantizerPath::kNone:
        break;
    }
  }
  if (temporalLayers_ > 1) {
    // FFmpeg's libvpx wrapper passes "vp8-flags" to vpx_codec_encode and "temporal_id" to the
    // encoder's layer-id control for this frame.
    if (keyFrame) layerIndex_ = 0;  // a key frame restarts the pattern
    const LayerStep& step = temporalLayers_ == 2 ? kTwoLayers[layerIndex_ % 2] : kThreeLayers[layerIndex_ % 4];
    layerIndex_++;
    if (config_.String("encoder") == "libvpx-vp9") {
      // VP9 in SVC mode takes references per frame as buffer slots (LAST 0, GOLDEN 1, ALTREF 2)
      // and keeps a frame context per layer itself.
      av_dict_set(&frame->metadata, "ref-frame-config", Vp9RefFrameConfig(step.flags).c_str(), 0);
    } else {
      av_dict_set(&frame->metadata, "vp8-flags", std::to_string(step.flags).c_str(), 0);
    }
    av_dict_set(&frame->metadata, "temporal_id", std::to_string(step.layer).c_str(), 0);
    layerOfPts_[frame->pts] = step.layer;
  }
  const int err = avcodec_send_frame(context_.get(), frame.get());
  if (err < 0) ThrowCodecError("EncodingError", "the encoder rejected a frame: " + AvErrorString(err));
  framesSent_ = true;
  Receive(out);
}

FramePtr VideoEncoderCore::Convert(const AVFrame* src) {
  const AVPixelFormat srcFormat = static_cast<AVPixelFormat>(src->format);
  sws_.reset(sws_getCachedContext(sws_.release(), src->width, src->height, srcFormat, width_, height_, pixelFormat_,
                                  SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) ThrowCodecError("EncodingError", "cannot convert this frame's pixel format for the encoder");
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(srcFormat);
  if (desc != nullptr && (desc->flags & AV_PIX_FMT_FLAG_RGB)) {
    // RGB to YUV with BT.709 coefficients at limited range, as ColourOf signals.
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws_.get(), bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
  }
  FramePtr dst = MakeFrame();
  dst->format = pixelFormat_;
  dst->width = width_;
  dst->height = height_;
  if (AllocatePooledFrame(dst.get()) < 0) throw std::bad_alloc();
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
    if (temporalLayers_ > 1) {
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
      output->extra.Set("codedWidth", static_cast<double>(width_));
      output->extra.Set("codedHeight", static_cast<double>(height_));
      if (config_.Has("displayWidth") && config_.Has("displayHeight")) {
        output->extra.Set("displayAspectWidth", config_.Number("displayWidth", width_));
        output->extra.Set("displayAspectHeight", config_.Number("displayHeight", height_));
      }
      if (colour_ != Colour{}) {
        output->extra.Set("primaries", static_cast<double>(colour_.primaries));
        output->extra.Set("transfer", static_cast<double>(colour_.transfer));
        output->extra.Set("matrix", static_cast<double>(colour_.matrix));
        output->extra.Set("range", static_cast<double>(colour_.range));
      }
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
