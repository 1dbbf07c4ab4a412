// Video encoding on libavcodec (libx265, libvpx VP8/VP9): one send/receive loop for every
// encoder; what differs per encoder (its private options, how it takes a per-frame quantizer, how
// it builds temporal layers) is one row of kEncoders below. Runs on the codec's worker thread only.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "frame_encoder.h"

namespace wcs {
namespace {

// The encoder's private options for one configuration; `params` collects the encoder library's
// own key=value list (x265-params).
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
// checked by decoding the output and reading the quantizer back (x265's per-frame CSV log, the
// vp9 decoder's exported encoding parameters). x264 and libaom take theirs directly (frame_encoder.h).
enum class QuantizerPath {
  // x265: FFmpeg 5.1 passes neither AVFrame.quality nor a runtime QP to them, but it passes a
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
constexpr int kRoiQpRange = 51;         // FFmpeg scales the ROI offset by 51 for 8-bit x265
constexpr int kDefaultVpxQuantizer = 32;  // frames without a quantizer (libvpx 0..63 scale)

using ApplyFn = void (*)(const ConfigMap& config, AVCodecContext* ctx, Settings& settings);

struct EncoderRow {
  const char* name;
  const char* paramsOption;  // where Settings::params go, or nullptr
  ApplyFn apply;
  QuantizerPath quantizer;
};

// Quantizer mode for x265: rate control held at one QP (every frame type alike, no adaptive or
// tree-based offsets), so the per-frame whole-frame ROI offset sets each frame's QP exactly.
void HoldQpForRoi(Settings& s) {
  s.Set("crf", std::to_string(kRoiBaseQp));
  s.Param("qcomp", "1");
  s.Param("aq-mode", "1");
  s.Param("aq-strength", "0.01");
  s.Param("ipratio", "1");
  s.Param("pbratio", "1");
  s.Param("cutree", "0");
}

void ApplyX265(const ConfigMap& config, AVCodecContext* /*ctx*/, Settings& s) {
  // x265 costs several times x264 per frame. Both modes are zero-latency (no lookahead, no
  // B-frames, one frame thread): one chunk per frame in presentation order, as browsers give
  // (see x264_frame_encoder.cc); "quality" spends more effort per frame.
  s.Set("preset", RealtimeLatency(config) ? "ultrafast" : "fast");
  s.Set("tune", "zerolatency");
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
  if (QuantizerMode(config)) HoldQpForRoi(s);
}

void ApplyVpx(const ConfigMap& config, AVCodecContext* ctx, Settings& s) {
  const bool vp9 = std::strcmp(ctx->codec->name, "libvpx-vp9") == 0;
  const int layers = static_cast<int>(config.Int("temporalLayers", 1));
  const bool realtime = RealtimeLatency(config);
  s.Set("deadline", realtime ? "realtime" : "good");
  s.Set("cpu-used", realtime ? "8" : (vp9 ? "4" : "2"));
  // No lookahead in either mode: one chunk per frame at once, as browsers give (see
  // x264_frame_encoder.cc), and per-frame settings (layer flags, qmax) apply to the frame sent.
  s.Set("lag-in-frames", "0");
  // With layers only the pattern places key frames (a forced one restarts it): one that libvpx
  // placed itself (it does at scene changes in "good" mode) on an upper-layer frame would make the
  // base layer depend on it.
  if (layers > 1) ctx->keyint_min = ctx->gop_size;
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

// What each frame of a temporal pattern (TemporalLayerAt: the layer of each position) may
// reference and update. Lower layers never reference a higher layer's frames, and only the base
// layer updates the entropy context, so dropping the upper layers leaves a decodable stream.
// L1T2: 0,1,0,1 - the base layer references and updates LAST; layer 1 references LAST only.
const int kTwoLayerFlags[] = {
    kNoRefGolden | kNoRefAltRef | kNoUpdateGolden | kNoUpdateAltRef,
    kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy,
};
// L1T3: 0,2,1,2 - layer 1 references LAST (base) and updates GOLDEN; layer 2 references both
// and updates nothing.
const int kThreeLayerFlags[] = {
    kNoRefGolden | kNoRefAltRef | kNoUpdateGolden | kNoUpdateAltRef,
    kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy,
    kNoRefGolden | kNoRefAltRef | kNoUpdateLast | kNoUpdateAltRef | kNoUpdateEntropy,
    kNoRefAltRef | kNoUpdateLast | kNoUpdateGolden | kNoUpdateAltRef | kNoUpdateEntropy,
};

// The same step as FFmpeg's VP9 "ref-frame-config" frame metadata (vpx_svc_ref_frame_config).
std::string Vp9RefFrameConfig(int flags) {
  const auto on = [&](int flag) { return (flags & flag) == 0 ? 1 : 0; };
  const int updateSlots = on(kNoUpdateLast) | on(kNoUpdateGolden) << 1 | on(kNoUpdateAltRef) << 2;
  return "rfc_lst_fb_idx=0:rfc_gld_fb_idx=1:rfc_alt_fb_idx=2:rfc_update_buffer_slot=" + std::to_string(updateSlots) +
         ":rfc_reference_last=" + std::to_string(on(kNoRefLast)) + ":rfc_reference_golden=" + std::to_string(on(kNoRefGolden)) +
         ":rfc_reference_alt_ref=" + std::to_string(on(kNoRefAltRef));
}

const EncoderRow kEncoders[] = {
    {"libx265", "x265-params", ApplyX265, QuantizerPath::kRoiOffset},
    {"libvpx", nullptr, ApplyVpx, QuantizerPath::kMaxQuantizer},
    {"libvpx-vp9", nullptr, ApplyVpx, QuantizerPath::kMaxQuantizer},
};

const EncoderRow* FindEncoder(const std::string& name) {
  for (const EncoderRow& row : kEncoders) {
    if (name == row.name) return &row;
  }
  return nullptr;
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


// Applies a frame's controls the way this encoder takes them (quantizer, temporal layer).
void ApplyControls(const EncoderRow& row, const EncoderSetup& setup, AVCodecContext* ctx, AVFrame* frame,
                   const FrameControls& controls) {
  av_frame_remove_side_data(frame, AV_FRAME_DATA_REGIONS_OF_INTEREST);
  if (QuantizerMode(setup.config)) {
    switch (row.quantizer) {
      case QuantizerPath::kRoiOffset:
        SetWholeFrameQpOffset(frame, controls.quantizer.value_or(kRoiBaseQp));
        break;
      case QuantizerPath::kMaxQuantizer:
        ctx->qmax = controls.quantizer ? QuantizerForIndex(*controls.quantizer) : kDefaultVpxQuantizer;
        break;
    }
  }
  if (setup.temporalLayers > 1) {
    // FFmpeg's libvpx wrapper passes "vp8-flags" to vpx_codec_encode and "temporal_id" to the
    // encoder's layer-id control for this frame.
    const int flags = setup.temporalLayers == 2 ? kTwoLayerFlags[controls.layerPosition % 2] : kThreeLayerFlags[controls.layerPosition % 4];
    if (std::strcmp(ctx->codec->name, "libvpx-vp9") == 0) {
      // VP9 in SVC mode takes references per frame as buffer slots (LAST 0, GOLDEN 1, ALTREF 2)
      // and keeps a frame context per layer itself.
      av_dict_set(&frame->metadata, "ref-frame-config", Vp9RefFrameConfig(flags).c_str(), 0);
    } else {
      av_dict_set(&frame->metadata, "vp8-flags", std::to_string(flags).c_str(), 0);
    }
    av_dict_set(&frame->metadata, "temporal_id", std::to_string(controls.temporalLayer).c_str(), 0);
  }
}

class LavcFrameEncoder : public FrameEncoder {
 public:
  explicit LavcFrameEncoder(const EncoderSetup& setup) : setup_(setup) {
    const std::string name = setup.config.String("encoder");
    row_ = FindEncoder(name);
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    if (row_ == nullptr || codec == nullptr) ThrowCodecError("NotSupportedError", "encoder " + name + " is not available in this FFmpeg build");
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    const ConfigMap& config = setup.config;
    ctx->width = setup.width;
    ctx->height = setup.height;
    ctx->pix_fmt = setup.pixelFormat;
    ctx->framerate = setup.framerate;
    ctx->time_base = av_inv_q(setup.framerate);
    ctx->thread_count = static_cast<int>(config.Int("threads", 0));
    ctx->sample_aspect_ratio = setup.sampleAspect;
    const std::string bitrateMode = config.String("bitrateMode", "variable");
    if (config.Has("bitrate") && bitrateMode != "quantizer") {
      ctx->bit_rate = config.Int("bitrate", 0);
      if (bitrateMode == "constant") {
        // A one-second buffer at the target rate; libvpx switches to CBR when min = max = target.
        ctx->rc_max_rate = ctx->bit_rate;
        ctx->rc_min_rate = ctx->bit_rate;
        ctx->rc_buffer_size = static_cast<int>(std::min<int64_t>(ctx->bit_rate, INT32_MAX));
      }
    }
    ctx->gop_size = static_cast<int>(config.Int("keyInterval", 250));
    ctx->color_primaries = static_cast<AVColorPrimaries>(setup.colour.primaries);
    ctx->color_trc = static_cast<AVColorTransferCharacteristic>(setup.colour.transfer);
    ctx->colorspace = static_cast<AVColorSpace>(setup.colour.matrix);
    ctx->color_range = static_cast<AVColorRange>(setup.colour.range);
    if (setup.globalHeader) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    Settings settings;
    row_->apply(config, ctx.get(), settings);
    if (row_->paramsOption != nullptr && !settings.params.empty()) settings.Set(row_->paramsOption, settings.params);
    const int err = avcodec_open2(ctx.get(), codec, &settings.dict);
    if (err < 0) {
      ThrowCodecError("NotSupportedError",
                      name + " rejected this configuration (" + AvErrorString(err) +
                          "); check width/height (even for 4:2:0), profile and level with isConfigSupported()");
    }
    context_ = std::move(ctx);
  }

  void Send(AVFrame* frame, const FrameControls& controls) override {
    if (frame != nullptr) {
      frame->pict_type = controls.keyFrame ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
      ApplyControls(*row_, setup_, context_.get(), frame, controls);
    }
    const int err = avcodec_send_frame(context_.get(), frame);
    if (err < 0 && !(frame == nullptr && err == AVERROR_EOF)) {
      ThrowCodecError("EncodingError", std::string(frame ? "the encoder rejected a frame: " : "flush failed: ") + AvErrorString(err));
    }
  }

  bool Receive(AVPacket* packet) override {
    const int err = avcodec_receive_packet(context_.get(), packet);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return false;
    if (err < 0) ThrowCodecError("EncodingError", "the encoder failed: " + AvErrorString(err));
    return true;
  }

  std::vector<uint8_t> Headers() const override {
    return std::vector<uint8_t>(context_->extradata, context_->extradata + context_->extradata_size);
  }

 private:
  EncoderSetup setup_;
  const EncoderRow* row_ = nullptr;
  CodecContextPtr context_;
};

}  // namespace

std::unique_ptr<FrameEncoder> OpenLavcFrameEncoder(const EncoderSetup& setup) {
  return std::make_unique<LavcFrameEncoder>(setup);
}

}  // namespace wcs
