// Reusable pixel buffers for frames the addon allocates itself (frames built from JavaScript
// memory, format conversions). Allocating and freeing a multi-megabyte buffer per frame makes
// glibc raise its mmap threshold and then keep the freed buffers in its heap: measured, a 1080p
// encoder fed from JavaScript grew to 600 MB of RSS (the ffmpeg CLI: 106 MB). Buffers come back
// here instead and are reused; a bounded number per size is kept, so memory follows the number of
// frames alive at once, not the number ever made.
#pragma once

#include <cstddef>

#include "ffmpeg.h"

namespace wcs {

// A buffer of `size` bytes (plus FFmpeg's input padding, zeroed), page aligned, from the pool.
AVBufferRef* AllocatePooledBuffer(size_t size);

// Gives `frame` (format, width, height set) pooled planes, laid out as av_frame_get_buffer would.
int AllocatePooledFrame(AVFrame* frame);

}  // namespace wcs
