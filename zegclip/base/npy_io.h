// NumPy `.npy` files <-> at::Tensor, so embeddings computed here open with np.load and the authors' shipped class
// embeddings (C×512 float32 `.npy`, fp16 when saved from a CUDA model) load directly.
//
// Reads format versions 1.0, 2.0 and 3.0; little-endian (or byte-order-free) dtypes '<f4', '<f2', '<f8', '<i8',
// '<i4', '|u1', '|b1'; C order; any rank (0-d included). Writes exactly the bytes numpy 1.24's np.save writes for
// the same array (version 1.0 unless the header needs 2.0, header padded to 64 bytes), atomically.
//
// Example:
//   absl::Status saved = WriteNpy("text.npy", embeddings);          // float32 (C, D) -> '<f4', shape (C, D)
//   absl::StatusOr<at::Tensor> loaded = ReadNpy("voc12_single.npy");  // dtype and shape as stored
#ifndef ZEGCLIP_BASE_NPY_IO_H_
#define ZEGCLIP_BASE_NPY_IO_H_

#include <ATen/ATen.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::base {

// Decodes the bytes of a .npy file; `name` (the file's path) is quoted in every error: bad magic, unsupported
// version, malformed header, Fortran order, unsupported dtype (big-endian, objects, strings, ...), data shorter or
// longer than the shape needs. The tensor owns its memory (CPU, contiguous).
absl::StatusOr<at::Tensor> ParseNpy(const std::string& bytes, const std::string& name);

// Encodes a CPU or GPU tensor of dtype float32 / float16 / float64 / int64 / int32 / uint8 / bool as .npy bytes
// (C order; a non-contiguous tensor is written in its logical order). Error for other dtypes.
absl::StatusOr<std::string> SerializeNpy(const at::Tensor& tensor);

// ParseNpy of a file's contents; errors name the path (missing, unreadable, or any ParseNpy error).
absl::StatusOr<at::Tensor> ReadNpy(const std::string& path);

// SerializeNpy written with base::WriteFileAtomically: readers never see a half-written file.
absl::Status WriteNpy(const std::string& path, const at::Tensor& tensor);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_NPY_IO_H_
