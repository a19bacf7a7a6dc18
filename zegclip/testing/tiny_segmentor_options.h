// A ZegCLIP segmentor small enough for a unit test on two CPU cores, shared by every package's tests.
//
// Example:
//   model::ZegClipSegmentor segmentor(TinySegmentorOptions(clip::EncoderMode::kDeepPrompt, /*rd=*/true));
#ifndef ZEGCLIP_TESTING_TINY_SEGMENTOR_OPTIONS_H_
#define ZEGCLIP_TESTING_TINY_SEGMENTOR_OPTIONS_H_

#include "zegclip/clip/encoder_mode.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::testing {

// Image 16x16 in 8-pixel patches (grid 2x2), widths 16 (image) and 8 (text, embedding, decoder), 2 image blocks,
// 1 text block, vocabulary 40, context 8; prompts n = 2 on the first block; 2 decoder layers; no dropout anywhere.
model::SegmentorOptions TinySegmentorOptions(clip::EncoderMode mode, bool relationship_descriptor);

}  // namespace zegclip::testing

#endif  // ZEGCLIP_TESTING_TINY_SEGMENTOR_OPTIONS_H_
