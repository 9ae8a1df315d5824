"""The search step graph (step_graph.py) computes what the plain step graph does, plus the search's own work:
exports a tiny random model and compares, in onnxruntime, decoder_step_search.onnx against decoder_step.onnx with
the beam gather, top-k and log-sum-exp done in numpy (the engine's JavaScript path)."""
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnxruntime as ort

from models.training.export import export_package
from models.training.tests.test_manifest_keys import _tiny_run


class SearchStepGraphTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        run, out = Path(cls.tmp.name) / "run", Path(cls.tmp.name) / "pkg"
        run.mkdir()
        _tiny_run(run)
        cls.manifest, _ = export_package(run, out, dtype="fp16", search_step=True)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        cls.plain = ort.InferenceSession(str(out / "decoder_step.onnx"), so)
        cls.search = ort.InferenceSession(str(out / "decoder_step_search.onnx"), so)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_manifest_describes_it(self):
        spec = self.manifest["graphs"]["decoderStepSearch"]
        self.assertEqual(spec["file"], "decoder_step_search.onnx")
        self.assertEqual([i["name"] for i in spec["inputs"]], ["tokens", "beam_idx", "past_k", "past_v", "cross_k", "cross_v", "top_k"])
        self.assertEqual([o["name"] for o in spec["outputs"]], ["top_logits", "top_ids", "log_norm", "present_k", "present_v"])
        self.assertIn("decoder_step_search.onnx", self.manifest["files"])

    def test_same_step_as_the_plain_graph_with_the_search_in_numpy(self):
        d = self.manifest["dims"]
        Ld, H, dh, V = d["decoderLayers"], d["heads"], d["dHead"], d["vocab"]
        rng = np.random.default_rng(0)
        for rows, n, T in ((1, 1, 0), (1, 4, 3), (4, 4, 6), (4, 2, 9)):
            past_k = rng.standard_normal((Ld, rows, H, T, dh)).astype(np.float32)
            past_v = rng.standard_normal((Ld, rows, H, T, dh)).astype(np.float32)
            cross = rng.standard_normal((Ld, n, H, 7, dh)).astype(np.float32)
            tokens = rng.integers(4, V, (n, 1)).astype(np.int64)
            beam_idx = rng.integers(0, rows, n).astype(np.int64)
            k = 8
            logits, pk, pv = self.plain.run(None, dict(tokens=tokens, past_k=past_k[:, beam_idx], past_v=past_v[:, beam_idx], cross_k=cross, cross_v=cross))
            top, ids, norm, sk, sv = self.search.run(None, dict(tokens=tokens, beam_idx=beam_idx, past_k=past_k, past_v=past_v,
                                                                 cross_k=cross, cross_v=cross, top_k=np.array([k], np.int64)))
            np.testing.assert_array_equal(sk, pk)
            np.testing.assert_array_equal(sv, pv)
            np.testing.assert_array_equal(ids, np.argsort(-logits, axis=1, kind="stable")[:, :k])
            np.testing.assert_array_equal(top, np.take_along_axis(logits, ids, 1))
            self.assertEqual(norm.dtype, np.float64)
            wide = logits.astype(np.float64)
            top_logit = wide.max(1, keepdims=True)
            np.testing.assert_allclose(norm, top_logit + np.log(np.exp(wide - top_logit).sum(1, keepdims=True)), rtol=0, atol=1e-12)


if __name__ == "__main__":
    unittest.main()
