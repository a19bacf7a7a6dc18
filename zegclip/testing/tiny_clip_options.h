// A CLIP small enough for a unit test on two CPU cores, shared by every package's tests.
//
// Example:
//   clip::ClipModel clip(TinyClipOptions());
#ifndef ZEGCLIP_TESTING_TINY_CLIP_OPTIONS_H_
#define ZEGCLIP_TESTING_TINY_CLIP_OPTIONS_H_

#include "zegclip/clip/clip_options.h"

namespace zegclip::testing {

// Image 32x32 with 16-pixel patches (native grid 2x2), width 64, 3 image blocks and 2 text blocks, vocabulary 50,
// context 12. Head counts are not width / 64, so checkpoint round trips must carry them.
clip::ClipOptions TinyClipOptions();

}  // namespace zegclip::testing

#endif  // ZEGCLIP_TESTING_TINY_CLIP_OPTIONS_H_
