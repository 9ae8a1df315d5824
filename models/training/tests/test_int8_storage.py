"""int8-block32 weights (export --dtype int8): weights.bin holds 32 int8 codes per float16 scale, the graphs read the
widened float32 values (export.widen_storage, ort_package.widened_bytes; src/engine/widenedWeights.ts does the same
in the engine). A tiny random model is exported and checked against the same model with its weights decoded."""
import shutil
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from models.training.export import INT8_MARK, WIDENED_FILE, export_package, load_from_package, load_run, tensor_map
from models.training.ort_package import INT8_BLOCK32, graph_dir, int8_block_decode, int8_block_encode, span_elements
from models.training.shortlist import SHORTLIST_FILE
from models.training.tests.test_manifest_keys import _tiny_pairs, _tiny_run
from models.training.tests.test_step_graph import step_feeds


class Int8BlockEncodingTest(unittest.TestCase):
    def test_codes_and_scales(self):
        rng = np.random.default_rng(0)
        x = (rng.standard_normal(70) * 0.05).astype(np.float32)
        x[32:64] = 0                                                 # a block of zeros: scale 0, codes 0
        raw = int8_block_encode(x)
        self.assertEqual(len(raw), 70 + 2 * 3)
        self.assertEqual(span_elements(len(raw), INT8_BLOCK32), 70)
        y = int8_block_decode(raw)
        self.assertEqual(y.dtype, np.float32)
        np.testing.assert_array_equal(y[32:64], 0)
        for b in (slice(0, 32), slice(64, 70)):                      # within half a step of each block's scale
            step = np.float32(np.float16(np.abs(x[b]).max() / 127))
            self.assertLessEqual(np.abs(y[b] - x[b]).max(), step / 2 + 1e-9)
            self.assertEqual(np.abs(y[b]).max(), 127 * step)         # the block's largest magnitude is code 127
        self.assertEqual(int8_block_encode(y), raw, "decoded values encode to the same bytes")

    def test_impossible_span_sizes(self):
        for n in (1, 31, 32, 33, 1000):
            self.assertEqual(span_elements(n + 2 * -(-n // 32), INT8_BLOCK32), n)
        with self.assertRaises(ValueError):
            span_elements(35, INT8_BLOCK32)


class Int8PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = Path(cls.tmp.name)
        cls.run_dir = cls.root / "run"
        cls.run_dir.mkdir()
        _tiny_run(cls.run_dir)
        cls.pairs = _tiny_pairs(cls.run_dir)
        cls.pkg = cls.root / "int8"
        cls.manifest, cls.tensors = export_package(cls.run_dir, cls.pkg, dtype="int8", shortlist_data=cls.pairs)
        cls.so = ort.SessionOptions()
        cls.so.intra_op_num_threads = 1

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def _graph_files(self):
        return [g["file"] for g in self.manifest["graphs"].values()] + [s["file"] for s in self.manifest["searchShortlists"].values()]

    def test_half_the_bytes_of_float16(self):
        fp16 = self.root / "fp16"
        export_package(self.run_dir, fp16, dtype="fp16", shortlist_data=self.pairs)
        ratio = (self.pkg / "weights.bin").stat().st_size / (fp16 / "weights.bin").stat().st_size
        self.assertLess(ratio, 0.6)
        self.assertEqual(self.manifest["weightsDtype"], "int8")
        self.assertEqual(self.manifest["widenedWeights"]["encoding"], INT8_BLOCK32)

    def test_the_graphs_hold_only_float32_weights(self):
        """No int8, uint8 or float16 initializer and no widening mark in any graph: onnxruntime never sees the blocks."""
        self.assertFalse((self.pkg / WIDENED_FILE).exists())
        for file in self._graph_files():
            m = onnx.load(str(self.pkg / file), load_external_data=False)
            kinds = {i.data_type for i in m.graph.initializer}
            self.assertFalse(kinds & {onnx.TensorProto.INT8, onnx.TensorProto.UINT8, onnx.TensorProto.FLOAT16}, file)
            self.assertEqual([n.name for n in m.graph.node if n.op_type in (INT8_MARK, "Cast") and n.input[0].endswith("__int8")], [], file)
            self.assertEqual({o.domain for o in m.opset_import} - {"", "ai.onnx"}, set(), file)

    def test_same_outputs_as_the_model_with_its_weights_decoded(self):
        """The int8 package computes what a float32 export of the decoded weights computes, bit for bit."""
        model, _, ckpt = load_run(self.run_dir)
        load_from_package(model, self.pkg, self.tensors)
        for name, t in model.state_dict().items():                  # every parameter went through the blocks
            if t.numel() >= 16:
                flat = (t.t() if self.tensors[name]["transposed"] else t).contiguous().numpy()
                np.testing.assert_array_equal(int8_block_decode(int8_block_encode(flat)), flat.reshape(-1), name)
        run32 = self.root / "run32"
        run32.mkdir()
        shutil.copy(self.run_dir / "tokenizer.model", run32 / "tokenizer.model")
        torch.save({**ckpt, "model": model.state_dict()}, run32 / "model.pt")
        fp32 = self.root / "fp32"
        export_package(run32, fp32, dtype="fp32", shortlist_data=self.pairs)
        V = self.manifest["dims"]["vocab"]
        rng = np.random.default_rng(3)
        step = step_feeds(self.manifest["dims"], rng)
        for file in ("encoder.onnx", "decoder_step_search.onnx", SHORTLIST_FILE.format(lang="ko")):
            a = ort.InferenceSession(str(graph_dir(self.pkg) / file), self.so)
            b = ort.InferenceSession(str(fp32 / file), self.so)
            f = {"src_ids": rng.integers(4, V, (1, 7)).astype(np.int64)} if file == "encoder.onnx" else step
            f = {k: v for k, v in f.items() if k in {i.name for i in a.get_inputs()}}
            for x, y in zip(a.run(None, f), b.run(None, f)):
                np.testing.assert_array_equal(x, y, file)

    def test_exported_again_from_its_own_weights_byte_for_byte(self):
        """A shipped package exported again (export --from-package) keeps its weights file: the history gains no copy."""
        model, _, ckpt = load_run(self.run_dir)
        load_from_package(model, self.pkg, self.tensors)
        again = self.root / "again-run"
        again.mkdir()
        shutil.copy(self.run_dir / "tokenizer.model", again / "tokenizer.model")
        torch.save({**ckpt, "model": model.state_dict()}, again / "model.pt")
        out = self.root / "again"
        _, tensors = export_package(again, out, dtype="int8", shortlist_data=self.pairs)
        self.assertEqual((out / "weights.bin").read_bytes(), (self.pkg / "weights.bin").read_bytes())
        self.assertEqual(tensors, self.tensors)
        self.assertEqual(tensor_map(model, out / "weights.bin", "int8"), self.tensors)


if __name__ == "__main__":
    unittest.main()
