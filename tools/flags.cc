#include "tools/flags.h"

DEFINE_string(config, "", "experiment file (.pbtxt)");
DEFINE_string(work_dir, "", "run directory: config, manifest, metrics, checkpoints, report");
