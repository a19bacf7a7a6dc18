#!/usr/bin/python3
"""Writes the .npy fixtures of npy_io_test.cc with numpy's own writer (np.save / np.lib.format.write_array).

Run from the repository root:  /usr/bin/python3 zegclip/base/testdata/make_npy_fixtures.py
The values are simple formulas so the C++ test can restate them; keep them in sync with npy_io_test.cc.
"""
import os

import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(OUT, name)
    if version is None:
        np.save(path, array)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version)


def main():
    # value[i] = 0.25 * i - 1 in row-major order.
    base = (0.25 * np.arange(24) - 1.0)
    save("numpy_f4_2x3x4.npy", base.astype("<f4").reshape(2, 3, 4))
    save("numpy_f2_2x3.npy", base[:6].astype("<f2").reshape(2, 3))
    save("numpy_f8_5.npy", base[:5].astype("<f8"))
    save("numpy_i8_2x2.npy", np.array([[-3, 0], [7, 2**40]], dtype="<i8"))
    save("numpy_f4_scalar.npy", np.array(3.5, dtype="<f4"))
    save("numpy_f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
    # A version 2.0 header (4-byte length), as numpy writes for very wide structured dtypes.
    save("numpy_v2_f4_3x2.npy", base[:6].astype("<f4").reshape(3, 2), version=(2, 0))
    # Column-major data must be refused, not silently transposed.
    save("numpy_fortran_f4_2x3.npy", np.asfortranarray(base[:6].astype("<f4").reshape(2, 3)))
    save("numpy_big_endian_f4_2.npy", np.array([1.0, 2.0], dtype=">f4"))


if __name__ == "__main__":
    main()
