// Records every ATen call on this thread (and the threads it hands work to) between construction and Stop(),
// through LibTorch's CPU profiler, with input shapes: the events op_profile.h summarises. One recorder at a time.
//
// Example:
//   OpRecorder recorder;
//   RunOneStep();
//   OpProfile profile = SummarizeOps(recorder.Stop(), /*steps=*/1);
#ifndef ZEGCLIP_TRAIN_OP_RECORDER_H_
#define ZEGCLIP_TRAIN_OP_RECORDER_H_

#include <vector>

#include "zegclip/train/op_profile.h"

namespace zegclip::train {

class OpRecorder {
 public:
  OpRecorder();
  ~OpRecorder();  // stops recording if Stop() was not called
  OpRecorder(const OpRecorder&) = delete;
  OpRecorder& operator=(const OpRecorder&) = delete;

  // The calls recorded so far; recording ends.
  std::vector<OpEvent> Stop();

 private:
  bool running_ = true;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_OP_RECORDER_H_
