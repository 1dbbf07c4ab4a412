// H.264 on libx264's own API. FFmpeg 5.1's libx264 wrapper takes neither a quantizer per frame nor
// a way to choose references, so this encoder talks to x264 directly for two things:
//  - bitrateMode "quantizer": each picture carries its QP (x264_picture_t.i_qpplus1), with
//    nothing left in x264 that moves a macroblock off it, so every frame is coded at exactly the
//    requested QP;
//  - temporal layers (L1T2/L1T3): before each frame, the frames of higher layers since the last
//    frame it may reference are invalidated (x264_encoder_invalidate_reference), so x264 predicts
//    a frame only from frames of its own layer or lower ones.
// Everything else follows what the libavcodec path did with FFmpeg's wrapper (presets by latency
// mode, forced IDR key frames, profile, level, the bitrate modes, VUI). Runs on the codec's
// worker thread only; x264 may run its own threads inside x264_encoder_encode.
#include <cstdint>  // x264.h uses the fixed-width types without including their header

#include <x264.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>

#include "frame_encoder.h"

namespace wcs {
namespace {

// Frames without a quantizer in quantizer mode: the middle of H.264's 0..51.
constexpr int kDefaultQp = 26;
constexpr int kMaxQp = 51;  // 8-bit H.264
constexpr int kNalSps = 7;
constexpr int kNalPps = 8;

struct X264Closer {
  void operator()(x264_t* encoder) const { x264_encoder_close(encoder); }
};
using X264Ptr = std::unique_ptr<x264_t, X264Closer>;

const char* ProfileName(int64_t profileIdc) {
  switch (profileIdc) {
    case 66: return "baseline";
    case 77: return "main";
    case 100: return "high";
    default: return nullptr;
  }
}

// The largest number of frames a frame of a temporal pattern may have to look back over to its
// reference: L1T2 base frames reference the frame 2 back, L1T3 base frames the frame 4 back (the
// frames in between are upper layers that must stay out of the base layer's references).
int LayeredDpbSize(int layers) { return layers >= 3 ? 4 : 2; }

class X264FrameEncoder : public FrameEncoder {
 public:
  explicit X264FrameEncoder(const EncoderSetup& setup)
      : width_(setup.width),
        height_(setup.height),
        layers_(std::max(1, setup.temporalLayers)),
        quantizerMode_(QuantizerMode(setup.config)),
        keyInterval_(std::max<int64_t>(1, setup.config.Int("keyInterval", 250))) {
    const ConfigMap& config = setup.config;
    if (setup.pixelFormat != AV_PIX_FMT_YUV420P) Reject("only 8-bit 4:2:0 (I420) is encoded by this encoder");
    const bool realtime = RealtimeLatency(config);
    // Both latency modes encode each frame as it arrives: no lookahead, no B-frames, sliced
    // threads (tune zerolatency); "quality" spends more effort per frame (preset medium). Browsers'
    // encoders give one chunk per frame, in presentation order, at once, and code written for them
    // relies on it: muxers take chunks without decode timestamps (B-frames would need them), and
    // pipelines that wait for outputs before sending more frames stall behind a 40-frame lookahead.
    // Temporal layers need the same: a reference invalidation must apply to the frame passed to
    // x264_encoder_encode next, and x264 cannot invalidate with B-frames.
    x264_param_t p;
    if (x264_param_default_preset(&p, realtime ? "veryfast" : "medium", "zerolatency") < 0) {
      Reject("unknown preset");
    }
    // Errors go to the CodecError message instead of stderr; x264's informational lines (CPU
    // capabilities, statistics at close) are not printed.
    p.pf_log = &X264FrameEncoder::Log;
    p.p_log_private = this;
    p.i_log_level = X264_LOG_ERROR;

    p.i_csp = X264_CSP_I420;
    p.i_width = setup.width;
    p.i_height = setup.height;
    // Frame pts count frames (EncoderSetup), so the time base is one frame.
    p.i_fps_num = static_cast<uint32_t>(setup.framerate.num);
    p.i_fps_den = static_cast<uint32_t>(setup.framerate.den);
    p.i_timebase_num = static_cast<uint32_t>(setup.framerate.den);
    p.i_timebase_den = static_cast<uint32_t>(setup.framerate.num);
    p.i_keyint_max = static_cast<int>(std::min<int64_t>(keyInterval_, X264_KEYINT_MAX_INFINITE));
    // Key frames are IDR (closed GOP): a decoder can start at any key chunk.
    p.b_open_gop = 0;
    p.b_repeat_headers = setup.globalHeader ? 0 : 1;
    p.b_annexb = 1;  // the core converts to length-prefixed NAL units for the avc format
    p.i_threads = static_cast<int>(config.Int("threads", 0));  // 0 = X264_THREADS_AUTO
    const int64_t level = config.Int("level", 0);
    if (level > 0) p.i_level_idc = static_cast<int>(level);

    // VUI: 2 is "unspecified" in every H.273 table; x264's defaults already say so.
    if (setup.colour.primaries != 2) p.vui.i_colorprim = setup.colour.primaries;
    if (setup.colour.transfer != 2) p.vui.i_transfer = setup.colour.transfer;
    if (setup.colour.matrix != 2) p.vui.i_colmatrix = setup.colour.matrix;
    if (setup.colour.range != AVCOL_RANGE_UNSPECIFIED) p.vui.b_fullrange = setup.colour.range == AVCOL_RANGE_JPEG ? 1 : 0;
    if (setup.sampleAspect.num > 0 && setup.sampleAspect.den > 0) {
      int sarWidth = 0, sarHeight = 0;
      av_reduce(&sarWidth, &sarHeight, setup.sampleAspect.num, setup.sampleAspect.den, 65535);  // 16-bit VUI fields
      p.vui.i_sar_width = sarWidth;
      p.vui.i_sar_height = sarHeight;
    }

    const std::string bitrateMode = config.String("bitrateMode", "variable");
    if (quantizerMode_) {
      // A picture's i_qpplus1 replaces the rate control's choice of QP for that frame. Not under
      // constant-QP rate control, though: there x264 clamps every QP, forced ones included, to the
      // range its constant I/P/B QPs span (qp -/+ 6*log2 of ipratio/pbratio, ratios capped at 10:
      // 6..46 at best). Constant rate factor keeps the full 0..51 range; with adaptive
      // quantization and the macroblock tree off (and no VBV) nothing moves a macroblock off the
      // frame's QP, so every macroblock is coded at exactly the requested QP. Frames without a
      // quantizer get kDefaultQp the same way (see Send).
      p.rc.i_rc_method = X264_RC_CRF;
      p.rc.f_rf_constant = kDefaultQp;
      p.rc.i_aq_mode = X264_AQ_NONE;
      p.rc.b_mb_tree = 0;
      p.rc.i_qp_min = 0;
      p.rc.i_qp_max = kMaxQp;
      p.rc.i_vbv_max_bitrate = 0;
      p.rc.i_vbv_buffer_size = 0;
    } else if (config.Has("bitrate")) {
      // As FFmpeg's wrapper maps an AVCodecContext bit_rate: average bitrate in kbit/s; "constant"
      // adds a VBV whose rate and one-second buffer are the target, which makes x264 run CBR.
      const int kbps = static_cast<int>(std::clamp<int64_t>(config.Int("bitrate", 0) / 1000, 1, INT32_MAX));
      p.rc.i_rc_method = X264_RC_ABR;
      p.rc.i_bitrate = kbps;
      if (bitrateMode == "constant") {
        p.rc.i_vbv_max_bitrate = kbps;
        p.rc.i_vbv_buffer_size = kbps;
      }
    }
    // Otherwise x264's default: constant rate factor 23.

    if (layers_ > 1) {
      p.i_bframe = 0;
      p.b_intra_refresh = 0;
      // A base-layer frame references the base frame before it, with the upper-layer frames in
      // between still in the DPB; a receiver that dropped them fills the frame_num gap with as
      // many placeholder frames, so the DPB must hold them all for the base frame to survive.
      p.i_dpb_size = std::max(p.i_dpb_size, LayeredDpbSize(layers_));
      // Key frames come only where the pattern says (a forced key frame restarts it, and the key
      // interval is honoured at the next base-layer frame, see Send): an IDR that x264 placed on
      // an upper-layer frame would make the base layer depend on it.
      p.i_keyint_max = X264_KEYINT_MAX_INFINITE;
      p.i_scenecut_threshold = 0;
    }

    if (const char* profile = ProfileName(config.Int("profile", 0))) {
      if (x264_param_apply_profile(&p, profile) < 0) Reject(std::string("profile ") + profile);
    }

    encoder_.reset(x264_encoder_open(&p));
    if (!encoder_) Reject("x264_encoder_open failed");

    x264_nal_t* nals = nullptr;
    int count = 0;
    if (x264_encoder_headers(encoder_.get(), &nals, &count) < 0) Reject("no parameter sets");
    // SPS and PPS only: the SEI x264 adds is its version banner, not needed to decode.
    for (int i = 0; i < count; i++) {
      if (nals[i].i_type == kNalSps || nals[i].i_type == kNalPps) {
        headers_.insert(headers_.end(), nals[i].p_payload, nals[i].p_payload + nals[i].i_payload);
      }
    }
  }

  void Send(AVFrame* frame, const FrameControls& controls) override {
    if (frame == nullptr) {
      draining_ = true;  // Receive() now pulls the delayed frames out
      return;
    }
    if (frame->format != AV_PIX_FMT_YUV420P || frame->width != width_ || frame->height != height_) {
      ThrowCodecError("EncodingError", "x264 was given a frame that is not I420 at the configured size");
    }
    x264_picture_t pic;
    x264_picture_init(&pic);
    pic.img.i_csp = X264_CSP_I420;
    pic.img.i_plane = 3;
    for (int i = 0; i < 3; i++) {
      pic.img.plane[i] = frame->data[i];
      pic.img.i_stride[i] = frame->linesize[i];
    }
    pic.i_pts = frame->pts;
    bool idr = controls.keyFrame;
    if (layers_ > 1) {
      if (!idr && controls.temporalLayer == 0 && framesSinceIdr_ >= keyInterval_) idr = true;
      if (!idr) KeepReferencesAtOrBelow(controls.temporalLayer);
      // An IDR references nothing before it, and every later frame may reference a base-layer
      // frame: what came before either is no candidate to drop any more.
      if (idr || controls.temporalLayer == 0) history_.clear();
      history_.push_back({frame->pts, controls.temporalLayer});
    }
    // keyFrame: true must give an IDR, not an I frame a decoder cannot start at.
    pic.i_type = idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
    framesSinceIdr_ = idr ? 1 : framesSinceIdr_ + 1;
    if (quantizerMode_) pic.i_qpplus1 = std::clamp(controls.quantizer.value_or(kDefaultQp), 0, kMaxQp) + 1;
    Encode(&pic);
  }

  bool Receive(AVPacket* packet) override {
    // While draining, each call with no input gives at most one delayed frame (none while x264's
    // frame threads are still busy with it), so keep asking until one comes out or none is left.
    while (ready_.empty() && draining_ && x264_encoder_delayed_frames(encoder_.get()) > 0) Encode(nullptr);
    if (ready_.empty()) return false;
    av_packet_move_ref(packet, ready_.front().get());
    ready_.pop_front();
    return true;
  }

  std::vector<uint8_t> Headers() const override { return headers_; }

 private:
  struct Sent {
    int64_t pts;
    int layer;
  };

  // Before a frame of `layer`: every frame since the most recent one of a layer <= `layer` belongs
  // to a higher layer and must not be referenced. Invalidating the first of them invalidates all
  // later ones too (x264 drops every reference with a pts at or after the one given). x264 keeps
  // them in its DPB (they are still references for their own layer's decoding order) but leaves
  // them out of this frame's reference lists, reordering the list in the slice header.
  void KeepReferencesAtOrBelow(int layer) {
    size_t keep = history_.size();
    while (keep > 0 && history_[keep - 1].layer > layer) keep--;
    if (keep == 0 || keep == history_.size()) return;  // nothing of a higher layer to drop
    if (x264_encoder_invalidate_reference(encoder_.get(), history_[keep].pts) < 0) {
      ThrowCodecError("EncodingError", "x264 could not restrict the references of a temporal layer: " + LastError());
    }
  }

  // One x264_encoder_encode call (nullptr: pull a delayed frame); queues its packet, if any.
  void Encode(x264_picture_t* in) {
    x264_nal_t* nals = nullptr;
    int count = 0;
    x264_picture_t out;
    x264_picture_init(&out);
    const int size = x264_encoder_encode(encoder_.get(), &nals, &count, in, &out);
    if (size < 0) ThrowCodecError("EncodingError", "x264 failed to encode a frame: " + LastError());
    if (size == 0) return;
    PacketPtr packet = MakePacket();
    if (!packet || av_new_packet(packet.get(), size) < 0) throw std::bad_alloc();
    // The NAL units of one picture, start codes included (b_annexb), in order.
    int offset = 0;
    for (int i = 0; i < count; i++) {
      std::memcpy(packet->data + offset, nals[i].p_payload, nals[i].i_payload);
      offset += nals[i].i_payload;
    }
    packet->size = offset;
    packet->pts = out.i_pts;
    packet->dts = out.i_dts;
    if (out.b_keyframe) packet->flags |= AV_PKT_FLAG_KEY;
    ready_.push_back(std::move(packet));
  }

  [[noreturn]] void Reject(const std::string& what) {
    const std::string detail = LastError();
    ThrowCodecError("NotSupportedError", "x264 rejected this configuration (" + what + (detail.empty() ? "" : ": " + detail) +
                                             "); check width/height (even for 4:2:0), profile, level and bitrate with "
                                             "isConfigSupported()");
  }

  std::string LastError() {
    std::lock_guard<std::mutex> lock(logMutex_);
    return lastError_;
  }

  // x264's log callback; may be called from x264's own threads.
  static void Log(void* self, int level, const char* format, va_list args) {
    if (level > X264_LOG_ERROR) return;
    char text[512];
    std::vsnprintf(text, sizeof(text), format, args);
    std::string message(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    auto* encoder = static_cast<X264FrameEncoder*>(self);
    std::lock_guard<std::mutex> lock(encoder->logMutex_);
    encoder->lastError_ = message;
  }

  const int width_;
  const int height_;
  const int layers_;
  const bool quantizerMode_;
  const int64_t keyInterval_;
  std::mutex logMutex_;
  std::string lastError_;
  // Declared after what the log callback touches, so it is closed (x264_encoder_close may log)
  // while they still exist; the packets own their data and outlive nothing of x264's.
  X264Ptr encoder_;
  std::vector<uint8_t> headers_;
  std::deque<PacketPtr> ready_;
  bool draining_ = false;
  int64_t framesSinceIdr_ = 0;
  std::vector<Sent> history_;  // layered mode: frames since the most recent base-layer frame
};

}  // namespace

std::unique_ptr<FrameEncoder> OpenX264FrameEncoder(const EncoderSetup& setup) {
  return std::make_unique<X264FrameEncoder>(setup);
}

}  // namespace wcs
