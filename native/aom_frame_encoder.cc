// AV1 on libaom's own encoder API. FFmpeg 5.1's libaom-av1 wrapper exposes neither a per-frame
// quantizer nor libaom's SVC controls; talking to libaom directly gives both:
//   - quantizer mode: each frame is coded at exactly the quantizer asked for (the rate control's
//     quantizer range is narrowed to that one value before the frame is sent);
//   - temporal layers (L1T2/L1T3): libaom's real SVC, with the layer id in the OBU extension
//     headers and per-frame reference slots chosen so lower layers never reference higher ones.
// Everything else mirrors what lavc_frame_encoder.cc's ApplyAom row asked of FFmpeg's wrapper
// (usage, cpu-used, lag, row-mt, crf 32 without bitrate, screen content tuning), with the rate
// control and thread choices FFmpeg's libaomenc.c makes. Runs on the codec's worker thread only.
#include <aom/aom_encoder.h>
#include <aom/aomcx.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "frame_encoder.h"

extern "C" {
#include <libavutil/cpu.h>
}

namespace wcs {
namespace {

// Without a bitrate the stream is constant quality at this level (FFmpeg's "crf 32" default), and
// a quantizer-mode frame without its own quantizer uses it too (libaom's rc_*_quantizer /
// cq-level scale 0..63; the registration's quantizer index maps onto it with QuantizerForIndex).
constexpr int kDefaultQuantizer = 32;
constexpr int kMaxQuantizer = 63;

// The input image format for a pixel format the plan chose, and the AV1 profile that codes it.
struct InputFormat {
  aom_img_fmt_t image;
  unsigned int bitDepth;
  unsigned int profile;  // 0 main (4:2:0), 1 high (4:4:4)
};

bool InputFormatOf(AVPixelFormat format, InputFormat* out) {
  switch (format) {
    case AV_PIX_FMT_YUV420P: *out = {AOM_IMG_FMT_I420, 8, 0}; return true;
    case AV_PIX_FMT_YUV420P10: *out = {AOM_IMG_FMT_I42016, 10, 0}; return true;
    case AV_PIX_FMT_YUV444P: *out = {AOM_IMG_FMT_I444, 8, 1}; return true;
    case AV_PIX_FMT_YUV444P10: *out = {AOM_IMG_FMT_I44416, 10, 1}; return true;
    default: return false;
  }
}

// One step of a temporal pattern (TemporalLayerAt gives each position's layer): which buffer
// slot each of the 7 reference types reads, which of them the frame may use and which slots it refreshes. Slot 0 holds the latest
// base-layer (TL0) frame, slot 1 the latest TL1 frame; TL2 frames refresh nothing. A frame that
// refreshes no slot leaves no trace in the decoder (AV1 keeps entropy contexts, segmentation and
// loop-filter deltas with the reference slots), so dropping the upper layers is harmless as long
// as no lower-layer frame reads a slot an upper layer wrote, which ref_idx guarantees.
struct LayerStep {
  int lastSlot;          // slot LAST reads (every other reference type reads slot 0)
  bool referenceGolden;  // also predict from GOLDEN (slot 0), when LAST is not slot 0
  int refreshSlot;       // -1: refreshes nothing
};
// L1T2 0,1,0,1: TL0 reads and refreshes slot 0; TL1 reads slot 0.
const LayerStep kTwoLayers[] = {{0, false, 0}, {0, false, -1}};
// L1T3 0,2,1,2: TL1 reads slot 0 and refreshes slot 1; the second TL2 reads slot 1 (and slot 0).
const LayerStep kThreeLayers[] = {{0, false, 0}, {0, false, -1}, {0, false, 1}, {1, true, -1}};

constexpr int kLast = 0;    // reference types in aom_svc_ref_frame_config_t (LAST .. ALTREF)
constexpr int kGolden = 3;

// The codec context, destroyed on every path (also when opening fails halfway).
struct AomCodec {
  aom_codec_ctx_t ctx{};
  bool live = false;
  AomCodec() = default;
  AomCodec(const AomCodec&) = delete;
  AomCodec& operator=(const AomCodec&) = delete;
  ~AomCodec() {
    if (live) aom_codec_destroy(&ctx);
  }
};

class AomFrameEncoder : public FrameEncoder {
 public:
  explicit AomFrameEncoder(const EncoderSetup& setup) : setup_(setup) {
    const ConfigMap& config = setup.config;
    if (!InputFormatOf(setup.pixelFormat, &format_)) {
      ThrowCodecError("NotSupportedError", std::string("libaom cannot encode ") + av_get_pix_fmt_name(setup.pixelFormat) +
                                               " frames; use an AV1 codec string for 8/10-bit 4:2:0 (profile 0) or 4:4:4 (profile 1)");
    }
    quantizerMode_ = QuantizerMode(config);
    layers_ = std::clamp(setup.temporalLayers, 1, 3);
    keyInterval_ = std::max<int64_t>(config.Int("keyInterval", 250), 1);
    const bool realtime = RealtimeLatency(config);

    aom_codec_iface_t* iface = aom_codec_av1_cx();
    // Layers use the real-time usage whatever the latency mode: libaom's SVC is built for it, and
    // its good-quality usage codes the frame after a forced key frame as a second key frame
    // (libaom 3.6), which on an upper-layer frame would make the base layer depend on it.
    const unsigned int usage = realtime || layers_ > 1 ? AOM_USAGE_REALTIME : AOM_USAGE_GOOD_QUALITY;
    if (aom_codec_enc_config_default(iface, &cfg_, usage) != AOM_CODEC_OK) {
      ThrowCodecError("NotSupportedError", "this libaom has no AV1 encoder defaults; check the installed libaom (3.x)");
    }
    cfg_.g_w = static_cast<unsigned int>(setup.width);
    cfg_.g_h = static_cast<unsigned int>(setup.height);
    // pts count frames: one tick of the time base is one frame.
    cfg_.g_timebase.num = setup.framerate.den;
    cfg_.g_timebase.den = setup.framerate.num;
    // As FFmpeg's libaomenc: the configured thread count, else one per CPU.
    const int64_t threads = config.Int("threads", 0);
    cfg_.g_threads = static_cast<unsigned int>(std::min<int64_t>(threads > 0 ? threads : av_cpu_count(), 64));
    // No lookahead in either mode: one chunk per frame at once, as browsers give (see
    // x264_frame_encoder.cc), and per-frame settings (layer id and references, the quantizer range)
    // apply to the frame being sent.
    cfg_.g_lag_in_frames = 0;
    cfg_.g_profile = format_.profile;
    cfg_.g_bit_depth = format_.bitDepth == 10 ? AOM_BITS_10 : AOM_BITS_8;
    cfg_.g_input_bit_depth = format_.bitDepth;
    cfg_.g_pass = AOM_RC_ONE_PASS;
    cfg_.kf_max_dist = static_cast<unsigned int>(keyInterval_);
    if (layers_ > 1) {
      // Key frames refresh every slot, so one on an upper-layer frame would make the base layer
      // depend on it: the encoder places none itself, Send() forces them on base-layer frames.
      cfg_.kf_mode = AOM_KF_DISABLED;
    }

    int64_t bitrate = config.Int("bitrate", 0);
    const std::string bitrateMode = config.String("bitrateMode", "variable");
    if (layers_ > 1 && bitrate <= 0) {
      // Layers need a rate to split (see below): about 0.08 bit per pixel, as the libvpx layers.
      bitrate = std::max<int64_t>(static_cast<int64_t>(setup.width * setup.height * av_q2d(setup.framerate) * 0.08), 1000);
    }
    if (quantizerMode_) {
      // Constant quality whose quantizer range Send() narrows to each frame's quantizer.
      cfg_.rc_end_usage = AOM_Q;
      cfg_.rc_min_quantizer = cfg_.rc_max_quantizer = frameQuantizer_ = kDefaultQuantizer;
    } else if (bitrate <= 0) {
      cfg_.rc_end_usage = AOM_Q;  // constant quality at cq-level kDefaultQuantizer (FFmpeg's crf 32)
    } else {
      cfg_.rc_target_bitrate = static_cast<unsigned int>(std::max<int64_t>((bitrate + 500) / 1000, 1));
      // libaom 3.6's layered (SVC) rate control is built for CBR: measured at 160x96, 400 kbit/s,
      // L1T3, VBR held the upper layers at qindex 253 (a fifth of the target spent) and constant
      // quality coded base-layer frames at qindex 0. So layers are CBR whatever bitrateMode says.
      if (bitrateMode == "constant" || layers_ > 1) {
        // A one-second buffer at the target rate, as the libavcodec path configures and FFmpeg's
        // libaomenc turns into rc_buf_sz 1000 ms with the optimal level at 5/6 of it. The initial
        // level is set too (FFmpeg leaves libaom's 4000 ms, above the buffer, which made the first
        // key frame lossless).
        cfg_.rc_end_usage = AOM_CBR;
        cfg_.rc_buf_sz = 1000;
        cfg_.rc_buf_optimal_sz = cfg_.rc_buf_sz * 5 / 6;
        cfg_.rc_buf_initial_sz = cfg_.rc_buf_optimal_sz;
      } else {
        cfg_.rc_end_usage = AOM_VBR;
      }
    }

    aom_codec_flags_t flags = format_.bitDepth > 8 ? AOM_CODEC_USE_HIGHBITDEPTH : 0;
    const aom_codec_err_t err = aom_codec_enc_init(&codec_.ctx, iface, &cfg_, flags);
    if (err != AOM_CODEC_OK) {
      // A failed init has already destroyed the context (its error detail pointed into it).
      ThrowCodecError("NotSupportedError", std::string("libaom rejected this configuration (") + aom_codec_err_to_string(err) +
                                               "); check width/height, bitrate and framerate with isConfigSupported()");
    }
    codec_.live = true;

    // As FFmpeg was asked: realtime 8, good 6 (also for layers in quality mode, where the real-time
    // usage at 6 spends more effort than at 8).
    Control(AOME_SET_CPUUSED, realtime ? 8 : 6, "cpu-used");
    Control(AV1E_SET_ROW_MT, 1u, "row-mt");
    if (cfg_.rc_end_usage == AOM_Q) Control(AOME_SET_CQ_LEVEL, static_cast<unsigned int>(kDefaultQuantizer), "cq-level");
    if (config.Bool("screenContent", false) || config.String("contentHint") == "text") {
      Control(AV1E_SET_TUNE_CONTENT, static_cast<int>(AOM_CONTENT_SCREEN), "tune-content");
    }
    Control(AV1E_SET_COLOR_PRIMARIES, setup.colour.primaries, "color primaries");
    Control(AV1E_SET_TRANSFER_CHARACTERISTICS, setup.colour.transfer, "transfer characteristics");
    Control(AV1E_SET_MATRIX_COEFFICIENTS, setup.colour.matrix, "matrix coefficients");
    Control(AV1E_SET_COLOR_RANGE, setup.colour.range == AVCOL_RANGE_JPEG ? 1 : 0, "color range");
    if (quantizerMode_) {
      // Nothing may move a block or a frame type off the frame's quantizer: no adaptive
      // quantization (segment deltas), no superblock delta-q, no chroma delta-q.
      Control(AV1E_SET_AQ_MODE, 0u, "aq-mode");
      Control(AV1E_SET_DELTAQ_MODE, 0u, "deltaq-mode");
      Control(AV1E_SET_ENABLE_CHROMA_DELTAQ, 0, "chroma delta-q");
    }
    if (cfg_.rc_end_usage == AOM_CBR) {
      // Key frames at most 3 average frames (libaom's real-time SVC example): otherwise a key frame
      // takes most of the buffer and the frames after it (the upper layers first) are starved.
      Control(AOME_SET_MAX_INTRA_BITRATE_PCT, 300u, "max-intra-rate");
    }
    if (layers_ > 1) ConfigureLayers(bitrate);
    opened_ = true;
  }

  void Send(AVFrame* frame, const FrameControls& controls) override {
    iter_ = nullptr;
    if (frame == nullptr) {
      draining_ = true;
      flushProduced_ = false;
      Encode(nullptr, 0, 0);
      return;
    }
    aom_image_t image;
    // Points at the frame's planes (no copy): libaom copies the picture into its own lookahead
    // buffer inside aom_codec_encode, so the frame is free afterwards.
    if (aom_img_wrap(&image, format_.image, static_cast<unsigned int>(frame->width), static_cast<unsigned int>(frame->height), 1,
                     frame->data[0]) == nullptr) {
      ThrowCodecError("EncodingError", "libaom could not describe this frame's planes");
    }
    for (int p = 0; p < 3; p++) {
      image.planes[p] = frame->data[p];
      image.stride[p] = frame->linesize[p];
    }
    image.bit_depth = format_.bitDepth;
    image.range = setup_.colour.range == AVCOL_RANGE_JPEG ? AOM_CR_FULL_RANGE : AOM_CR_STUDIO_RANGE;

    aom_enc_frame_flags_t flags = controls.keyFrame ? AOM_EFLAG_FORCE_KF : 0;
    if (layers_ > 1) {
      const LayerStep& step = layers_ == 2 ? kTwoLayers[controls.layerPosition % 2] : kThreeLayers[controls.layerPosition % 4];
      // The encoder places no key frames of its own here (see the constructor): force one every
      // keyInterval frames, on a base-layer frame.
      if (controls.temporalLayer == 0 && framesSinceKey_ >= keyInterval_) flags |= AOM_EFLAG_FORCE_KF;
      ApplyLayerStep(step, controls.temporalLayer);
    }
    if (quantizerMode_) SetFrameQuantizer(controls.quantizer ? QuantizerForIndex(*controls.quantizer) : kDefaultQuantizer);
    if (flags & AOM_EFLAG_FORCE_KF) framesSinceKey_ = 0;
    framesSinceKey_++;
    Encode(&image, frame->pts, flags);
  }

  bool Receive(AVPacket* packet) override {
    for (;;) {
      while (const aom_codec_cx_pkt_t* pkt = aom_codec_get_cx_data(&codec_.ctx, &iter_)) {
        if (pkt->kind != AOM_CODEC_CX_FRAME_PKT) continue;  // statistics, PSNR: not asked for
        if (av_new_packet(packet, static_cast<int>(pkt->data.frame.sz)) < 0) throw std::bad_alloc();
        std::memcpy(packet->data, pkt->data.frame.buf, pkt->data.frame.sz);
        packet->pts = pkt->data.frame.pts;
        if (pkt->data.frame.flags & AOM_FRAME_IS_KEY) packet->flags |= AV_PKT_FLAG_KEY;
        flushProduced_ = true;
        return true;
      }
      // Draining: libaom gives what it still holds over repeated encode(NULL) calls; done when
      // a call gives nothing.
      if (!draining_ || !flushProduced_) return false;
      flushProduced_ = false;
      iter_ = nullptr;
      Encode(nullptr, 0, 0);
    }
  }

  // The sequence header travels in the stream (AV1 has no out-of-band format here).
  std::vector<uint8_t> Headers() const override { return {}; }

 private:
  // A control libaom refuses: while opening, the configuration is not supported; per frame, the
  // encoding fails.
  template <typename T>
  void Control(int id, T value, const char* what) {
    if (aom_codec_control(&codec_.ctx, id, value) != AOM_CODEC_OK) {
      ThrowCodecError(opened_ ? "EncodingError" : "NotSupportedError", std::string("libaom rejected its ") + what + " setting: " + ErrorText());
    }
  }

  std::string ErrorText() {
    const char* detail = aom_codec_error_detail(&codec_.ctx);
    return std::string(aom_codec_error(&codec_.ctx)) + (detail != nullptr ? std::string(" (") + detail + ")" : std::string());
  }

  void Encode(const aom_image_t* image, int64_t pts, aom_enc_frame_flags_t flags) {
    if (aom_codec_encode(&codec_.ctx, image, pts, 1, flags) != AOM_CODEC_OK) {
      ThrowCodecError("EncodingError", std::string(image != nullptr ? "libaom failed to encode a frame: " : "libaom failed to flush: ") +
                                           ErrorText());
    }
  }

  // libaom's SVC: the layer structure here, each frame's layer and references in ApplyLayerStep.
  void ConfigureLayers(int64_t bitrate) {
    aom_svc_params_t params;
    std::memset(&params, 0, sizeof(params));
    params.number_spatial_layers = 1;
    params.number_temporal_layers = layers_;
    params.scaling_factor_num[0] = params.scaling_factor_den[0] = 1;
    // Each layer's share of the stream (cumulative kbit/s, as the libvpx layers split it).
    const int64_t total = std::max<int64_t>((bitrate + 500) / 1000, 1);
    const int shares2[] = {60, 100};
    const int shares3[] = {40, 60, 100};
    for (int i = 0; i < layers_; i++) {
      const int share = layers_ == 2 ? shares2[i] : shares3[i];
      params.layer_target_bitrate[i] = static_cast<int>(std::max<int64_t>(total * share / 100, 1));
      params.framerate_factor[i] = 1 << (layers_ - 1 - i);  // 2,1 or 4,2,1
      params.min_quantizers[i] = static_cast<int>(cfg_.rc_min_quantizer);
      params.max_quantizers[i] = static_cast<int>(cfg_.rc_max_quantizer);
    }
    Control(AV1E_SET_SVC_PARAMS, &params, "temporal layer (SVC)");
  }

  void ApplyLayerStep(const LayerStep& step, int layer) {
    aom_svc_layer_id_t id;
    std::memset(&id, 0, sizeof(id));
    id.temporal_layer_id = layer;
    Control(AV1E_SET_SVC_LAYER_ID, &id, "layer id");
    aom_svc_ref_frame_config_t refs;
    std::memset(&refs, 0, sizeof(refs));  // every reference type reads slot 0, none is used, nothing refreshed
    refs.ref_idx[kLast] = step.lastSlot;
    refs.reference[kLast] = 1;
    if (step.referenceGolden) refs.reference[kGolden] = 1;
    if (step.refreshSlot >= 0) refs.refresh[step.refreshSlot] = 1;
    Control(AV1E_SET_SVC_REF_FRAME_CONFIG, &refs, "layer reference");
  }

  // libaom 3.6 has no per-frame quantizer control; narrowing the rate control's quantizer range to
  // one value before the frame is sent makes that frame's base_q_idx libaom's qindex for q
  // (q * 4, 62 -> 249, 63 -> 255) whatever the frame type.
  void SetFrameQuantizer(int quantizer) {
    quantizer = std::clamp(quantizer, 0, kMaxQuantizer);
    if (quantizer == frameQuantizer_) return;
    frameQuantizer_ = quantizer;
    cfg_.rc_min_quantizer = cfg_.rc_max_quantizer = static_cast<unsigned int>(quantizer);
    if (aom_codec_enc_config_set(&codec_.ctx, &cfg_) != AOM_CODEC_OK) {
      ThrowCodecError("EncodingError", "libaom did not take the frame's quantizer: " + ErrorText());
    }
    Control(AOME_SET_CQ_LEVEL, static_cast<unsigned int>(quantizer), "cq-level");
  }

  EncoderSetup setup_;
  InputFormat format_{};
  aom_codec_enc_cfg_t cfg_{};
  AomCodec codec_;
  aom_codec_iter_t iter_ = nullptr;
  bool opened_ = false;
  bool quantizerMode_ = false;
  int frameQuantizer_ = -1;
  int layers_ = 1;
  int64_t keyInterval_ = 250;
  int64_t framesSinceKey_ = 0;
  bool draining_ = false;
  bool flushProduced_ = false;
};

}  // namespace

std::unique_ptr<FrameEncoder> OpenAomFrameEncoder(const EncoderSetup& setup) {
  return std::make_unique<AomFrameEncoder>(setup);
}

}  // namespace wcs
