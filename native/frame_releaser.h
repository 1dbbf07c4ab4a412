// Frees AVFrames off the JavaScript thread. Releasing a decoder's frame takes the decoder's buffer
// pool lock (and the allocator's), which a busy codec thread may hold; measured with 32
// concurrent decoders, a VideoFrame.close() on the main thread then waited up to 150 ms. close()
// instead hands the frame to one background thread that does the freeing, so it never blocks
// the event loop on codec work.
#pragma once

#include "ffmpeg.h"

namespace wcs {

// Takes ownership of `frame` and frees it soon, on the releaser thread.
void ReleaseFrameLater(FramePtr frame);

}  // namespace wcs
