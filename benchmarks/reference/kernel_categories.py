"""What a GPU kernel (or, on the CPU, an ATen op) does, by its name: the categories in which profile_reference.py and
summarize_trace.py report device time, shared so that the PyTorch reference's profile and the C++ benchmark's Kineto
trace are split by the same rules.

  from kernel_categories import category
  category("ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_tn")  # -> "matmul (projections, MLP, decoder)"
"""

# Kernel / op name fragments -> category, first match wins (names differ between CUDA kernels and CPU ops;
# "upsample_bilinear2d" contains "linear", so upsampling is tested before matmuls).
CATEGORIES = [
    ("attention core", ("flash", "fmha", "efficient_attention", "scaled_dot_product", "softmax", "bmm", "baddbmm")),
    ("upsampling", ("upsample", "interpolate", "bilinear")),
    ("convolution (patch embedding)", ("conv", "cudnn", "implicit_gemm")),
    ("matmul (projections, MLP, decoder)", ("gemm", "sm90_xmma", "cutlass", "addmm", "aten::mm", "matmul", "linear",
                                            "nvjet", "cublas")),
    ("layer norm", ("layer_norm", "layernorm")),
    ("host <-> device copies", ("memcpy htod", "memcpy dtoh", "memcpy")),
    ("casts and copies", ("copy", "to_copy", "_to_copy", "cast")),
    ("elementwise (GELU, adds, norms)", ("elementwise", "vectorized", "reduce", "mul", "add", "sigmoid", "div",
                                         "norm", "cat", "where")),
]

OTHER = "other"


def category(name):
    lower = name.lower()
    for label, fragments in CATEGORIES:
        if any(f in lower for f in fragments):
            return label
    return OTHER
