"""cc_proto: a .proto turned into a cc_library with the system protoc (offline; no @com_google_protobuf)."""

def cc_proto(name, src, deps = [], visibility = None):
    """Generates <src>.pb.{h,cc} with /usr/bin/protoc and wraps them in cc_library `name`.

    Example:
        cc_proto(name = "experiment_proto", src = "experiment.proto")

    Imports are resolved from the workspace root, so `import "zegclip/config/x.proto";` works when the
    imported file's cc_proto target is listed in `deps`.
    """
    base = src[:-len(".proto")]
    dep_srcs = [d + "_srcs" for d in deps]
    native.filegroup(name = name + "_srcs", srcs = [src] + dep_srcs, visibility = visibility)
    native.genrule(
        name = name + "_gen",
        srcs = [src] + dep_srcs,
        outs = [base + ".pb.h", base + ".pb.cc"],
        cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) $(location %s)" % src,
    )
    native.cc_library(
        name = name,
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        deps = deps + ["//third_party:protobuf"],
        visibility = visibility,
    )
