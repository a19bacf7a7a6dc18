#!/usr/bin/python3
"""summarize_trace.py on a hand-made Chrome trace of two iterations whose numbers are worked out by hand below:
category sums, shares and counts, the top kernels, GPU busy time with overlapping kernels, the step count, the
comparison table, and clear errors. Also: profile_reference.py categorises with the same shared rules."""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kernel_categories  # noqa: E402
import summarize_trace as st  # noqa: E402

GEMM = "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64"
FLASH = "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<64, 128, 128, 4>>(Flash_fwd_params)"
LAYER_NORM = "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float>"
MEMCPY = "Memcpy HtoD (Pageable -> Device)"
MEMSET = "Memset (Device)"


def kernel(name, ts, dur, cat="kernel"):
    return {"ph": "X", "cat": cat, "name": name, "ts": ts, "dur": dur, "pid": 0, "tid": 7}


# Iteration 1: gemm [0,100], flash [150,450], layer norm [450,500], memcpy [480,520] on another stream (overlaps the
# layer norm by 20 us), memset [600,610]. Iteration 2: gemm [1000,1100], flash [1150,1450], layer norm [1450,1500].
# Device time: gemm 200, flash 600, layer norm 100, memcpy 40, memset 10 -> 950 us, 475 us = 0.475 ms per iteration.
# Busy (union): 100 + 300 + 70 + 10 + 100 + 300 + 50 = 930 us; span 0..1500 = 1500 us; idle 1 - 930/1500 = 0.38.
TRACE = {"schemaVersion": 1, "traceEvents": [
    kernel(GEMM, 0, 100), kernel(FLASH, 150, 300), kernel(LAYER_NORM, 450, 50),
    kernel(MEMCPY, 480, 40, cat="gpu_memcpy"), kernel(MEMSET, 600, 10, cat="gpu_memset"),
    kernel(GEMM, 1000, 100), kernel(FLASH, 1150, 300), kernel(LAYER_NORM, 1450, 50),
    # Not device time: CPU ops, runtime calls, annotations (CPU and GPU side), flow events, metadata.
    kernel("aten::mm", 0, 500, cat="cpu_op"), kernel("cudaLaunchKernel", 1, 5, cat="cuda_runtime"),
    kernel("ProfilerStep#0", 0, 900, cat="user_annotation"), kernel("ProfilerStep#1", 1000, 900, cat="user_annotation"),
    kernel("ProfilerStep#0", 0, 610, cat="gpu_user_annotation"),
    {"ph": "s", "cat": "ac2g", "name": "ac2g", "id": 1, "ts": 1, "pid": 0, "tid": 1},
    {"ph": "M", "name": "process_name", "pid": 0, "args": {"name": "python"}},
]}

MATMUL = "matmul (projections, MLP, decoder)"
COPIES = "host <-> device copies"


class SummarizeTraceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.trace = os.path.join(self.tmp, "trace.json")
        with open(self.trace, "w") as f:
            json.dump(TRACE, f)

    def run_main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = st.main(list(argv))
        return rc, out.getvalue(), err.getvalue()

    def test_categories_sums_shares_counts(self):
        s = st.summarize(TRACE["traceEvents"], iters=2)
        self.assertEqual(s["kernels"], 8)
        self.assertAlmostEqual(s["device_ms_per_iter"], 0.475)
        cats = s["categories"]
        self.assertEqual(list(cats), ["attention core", MATMUL, "layer norm", COPIES, "other"])
        expected = {"attention core": (0.300, 600 / 950, 2), MATMUL: (0.100, 200 / 950, 2),
                    "layer norm": (0.050, 100 / 950, 2), COPIES: (0.020, 40 / 950, 1), "other": (0.005, 10 / 950, 1)}
        for name, (ms, share, count) in expected.items():
            self.assertAlmostEqual(cats[name]["ms_per_iter"], ms, msg=name)
            self.assertAlmostEqual(cats[name]["share"], share, msg=name)
            self.assertEqual(cats[name]["count"], count, msg=name)
            self.assertAlmostEqual(cats[name]["count_per_iter"], count / 2, msg=name)
        self.assertAlmostEqual(sum(c["share"] for c in cats.values()), 1.0)
        self.assertAlmostEqual(cats["attention core"]["share"], 0.631578947, places=6)  # 600 / 950

    def test_busy_span_idle(self):
        s = st.summarize(TRACE["traceEvents"], iters=2)
        self.assertAlmostEqual(s["span_ms_per_iter"], 0.750)
        self.assertAlmostEqual(s["busy_ms_per_iter"], 0.465)
        self.assertAlmostEqual(s["idle_share"], 0.38)
        self.assertAlmostEqual(st.busy_us([(0, 10), (5, 10), (20, 5), (21, 1)]), 20.0)  # [0,15] + [20,25]

    def test_top_kernels(self):
        s = st.summarize(TRACE["traceEvents"], iters=2, top=3)
        top = s["top_kernels"]
        self.assertEqual([k["name"] for k in top], [FLASH, GEMM, LAYER_NORM])
        self.assertAlmostEqual(top[0]["ms_per_iter"], 0.300)
        self.assertEqual(top[0]["count"], 2)
        self.assertAlmostEqual(top[0]["mean_us"], 300.0)
        self.assertAlmostEqual(top[1]["share"], 200 / 950)
        self.assertEqual(top[2]["category"], "layer norm")

    def test_main_counts_steps_prints_and_writes_json(self):
        out_json = os.path.join(self.tmp, "summary.json")
        rc, out, err = self.run_main(self.trace, "--label=cpp", "--json_out=" + out_json)
        self.assertEqual(rc, 0, err)
        with open(out_json) as f:
            s = json.load(f)
        self.assertEqual(s["iters"], 2)  # two ProfilerStep annotations, the GPU-side copy not counted again
        self.assertEqual(s["label"], "cpp")
        self.assertAlmostEqual(s["device_ms_per_iter"], 0.475)
        self.assertIn("== cpp: 0.475 ms of GPU kernels per iteration (2 iterations, 8 device events)", out)
        self.assertIn("      0.300   63.16           1.0  attention core", out)
        self.assertIn("      0.005    1.05           0.5  other", out)
        self.assertIn("GPU idle 38.0 %", out)

    def test_explicit_iters(self):
        rc, out, _ = self.run_main(self.trace, "--iters=5", "--top=1")
        self.assertEqual(rc, 0)
        self.assertIn("0.190 ms of GPU kernels per iteration (5 iterations", out)  # 950 us / 5
        self.assertIn("top 1 kernels", out)

    def test_comparison_against_baseline(self):
        base_trace = os.path.join(self.tmp, "base.json")
        base_json = os.path.join(self.tmp, "base_summary.json")
        # The baseline: the same iteration with half the attention time (flash 150 us), two iterations.
        events = [e for e in TRACE["traceEvents"] if e.get("name") != FLASH]
        events += [kernel(FLASH, 150, 150), kernel(FLASH, 1150, 150)]
        with open(base_trace, "w") as f:
            json.dump({"traceEvents": events}, f)
        self.assertEqual(self.run_main(base_trace, "--label=reference", "--json_out=" + base_json)[0], 0)
        rc, out, err = self.run_main(self.trace, "--label=cpp", "--baseline_json=" + base_json)
        self.assertEqual(rc, 0, err)
        self.assertIn("== cpp vs reference, GPU time by category", out)
        # attention: 0.300 vs 0.150 ms; all kernels: 0.475 vs 0.325 ms; spans equal (0.750 ms).
        self.assertIn("         0.300         0.150    +0.150    2.00  attention core", out)
        self.assertIn("         0.475         0.325    +0.150    1.46  all kernels", out)
        self.assertIn("         0.750         0.750    +0.000    1.00  first-to-last kernel", out)

    def test_errors_name_the_file_or_flag(self):
        rc, _, err = self.run_main(os.path.join(self.tmp, "missing.json"))
        self.assertEqual(rc, 1)
        self.assertIn("missing.json: cannot read", err)
        no_steps = os.path.join(self.tmp, "no_steps.json")
        with open(no_steps, "w") as f:
            json.dump([kernel(GEMM, 0, 10)], f)  # a bare event list, as older exports write
        rc, _, err = self.run_main(no_steps)
        self.assertEqual(rc, 1)
        self.assertIn("give --iters", err)
        self.assertEqual(self.run_main(no_steps, "--iters=1")[0], 0)
        cpu_only = os.path.join(self.tmp, "cpu_only.json")
        with open(cpu_only, "w") as f:
            json.dump({"traceEvents": [kernel("aten::mm", 0, 10, cat="cpu_op")]}, f)
        rc, _, err = self.run_main(cpu_only, "--iters=1")
        self.assertEqual(rc, 1)
        self.assertIn("cpu_only.json: no GPU kernel", err)
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("{not json")
        rc, _, err = self.run_main(bad)
        self.assertIn("bad.json: not JSON", err)
        rc, _, err = self.run_main(self.trace, "--baseline_json=" + self.trace)
        self.assertEqual(rc, 1)
        self.assertIn("not a summarize_trace.py summary", err)

    def test_categories_match_profile_reference(self):
        self.assertEqual(kernel_categories.category(GEMM), MATMUL)
        self.assertEqual(kernel_categories.category("upsample_bilinear2d_out_frame<float>"), "upsampling")
        self.assertEqual(kernel_categories.category(MEMCPY), COPIES)
        self.assertEqual(kernel_categories.category(MEMSET), "other")
        try:
            import profile_reference  # needs torch (Debian's python3-torch here)
        except ImportError as e:
            self.skipTest(f"profile_reference.py needs torch: {e}")
        self.assertIs(profile_reference.category, kernel_categories.category)
        self.assertIs(profile_reference.CATEGORIES, kernel_categories.CATEGORIES)


if __name__ == "__main__":
    unittest.main(verbosity=2)
