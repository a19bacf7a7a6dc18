// The command-line flags shared by subcommands (defined once in flags.cc).
#ifndef ZEGCLIP_TOOLS_FLAGS_H_
#define ZEGCLIP_TOOLS_FLAGS_H_

#include <gflags/gflags.h>

DECLARE_string(config);
DECLARE_string(work_dir);

#endif  // ZEGCLIP_TOOLS_FLAGS_H_
