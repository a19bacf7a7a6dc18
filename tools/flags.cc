#include "tools/flags.h"

DEFINE_string(config, "", "experiment file (.pbtxt)");
DEFINE_string(work_dir, "", "run directory: config, manifest, metrics, checkpoints, report");
DEFINE_bool(resume, true,
            "train / pretrain-clip: continue from the newest checkpoint in --work_dir (the default, so an interrupted "
            "run is simply started again); --noresume sets the earlier run aside and starts from iteration 0");
DEFINE_string(profile_out, "",
              "train / pretrain-clip: profile training steps 6-15 (every ATen call) into this folder: ops.md, a table "
              "of time per op, op calls per step and GFLOP/s; trace.json, a Chrome trace");
DEFINE_string(clip_checkpoint, "",
              "clip-encode / text-embed / segment / export-authors: a CLIP checkpoint (OpenAI's TorchScript archive "
              "or a clip.pt from pretrain-clip; its architecture is read off the file)");
