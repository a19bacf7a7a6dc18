// The flags several subcommands take, each with one meaning everywhere (defined once in flags.cc). A command reads
// them in its own file and hands their values to the engine; nothing below tools/ reads a flag.
#ifndef ZEGCLIP_TOOLS_FLAGS_H_
#define ZEGCLIP_TOOLS_FLAGS_H_

#include <gflags/gflags.h>

DECLARE_string(config);
DECLARE_string(work_dir);
DECLARE_bool(resume);
DECLARE_string(clip_checkpoint);
DECLARE_string(profile_out);

#endif  // ZEGCLIP_TOOLS_FLAGS_H_
