"""The search step graph (step_graph.py) computes what the plain step graph does, plus the search's own work:
exports a tiny random model and compares, in onnxruntime, decoder_step_search.onnx against decoder_step.onnx with
the beam gather, top-k and log-sum-exp done in numpy (the engine's JavaScript path)."""
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnxruntime as ort

from models.training.export import export_package
from models.training.ort_package import graph_dir
from models.training.shortlist import SHORTLIST_FILE
from models.training.tests.test_manifest_keys import _tiny_pairs, _tiny_run


def _exported(cls, dtype: str, shortlists: bool = False):
    """A tiny random model exported (with the search step graph) into cls.tmp; its package folder and one-thread
    session options."""
    cls.tmp = tempfile.TemporaryDirectory()
    run, out = Path(cls.tmp.name) / "run", Path(cls.tmp.name) / "pkg"
    run.mkdir()
    _tiny_run(run)
    cls.manifest, _ = export_package(run, out, dtype=dtype, search_step=True, shortlist_data=_tiny_pairs(run) if shortlists else None)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return graph_dir(out), so


def step_feeds(dims: dict, rng) -> dict:
    """Random feeds for a search step graph: 2 rows continuing rows 1 and 0 of a 3-position cache, 5 source tokens."""
    Ld, H, dh, V = dims["decoderLayers"], dims["heads"], dims["dHead"], dims["vocab"]
    return {"tokens": rng.integers(4, V, (2, 1)).astype(np.int64), "beam_idx": np.array([1, 0], dtype=np.int64),
            "past_k": rng.standard_normal((Ld, 2, H, 3, dh)).astype(np.float32),
            "past_v": rng.standard_normal((Ld, 2, H, 3, dh)).astype(np.float32),
            "cross_k": rng.standard_normal((Ld, 2, H, 5, dh)).astype(np.float32),
            "cross_v": rng.standard_normal((Ld, 2, H, 5, dh)).astype(np.float32),
            "src_len": np.array([5, 4], dtype=np.int64), "top_k": np.array([3], dtype=np.int64)}


class SearchStepGraphTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        out, so = _exported(cls, "fp16")
        cls.plain = ort.InferenceSession(str(out / "decoder_step.onnx"), so)
        cls.search = ort.InferenceSession(str(out / "decoder_step_search.onnx"), so)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_manifest_describes_it(self):
        spec = self.manifest["graphs"]["decoderStepSearch"]
        self.assertEqual(spec["file"], "decoder_step_search.onnx")
        self.assertEqual([i["name"] for i in spec["inputs"]], ["tokens", "beam_idx", "past_k", "past_v", "cross_k", "cross_v", "src_len", "top_k"])
        self.assertEqual([o["name"] for o in spec["outputs"]], ["top_logits", "top_ids", "log_norm", "new_k", "new_v"])
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
            src_len = rng.integers(1, 8, n).astype(np.int64)
            logits, pk, pv = self.plain.run(None, dict(tokens=tokens, past_k=past_k[:, beam_idx], past_v=past_v[:, beam_idx],
                                                       cross_k=cross, cross_v=cross, src_len=src_len))
            top, ids, norm, sk, sv = self.search.run(None, dict(tokens=tokens, beam_idx=beam_idx, past_k=past_k, past_v=past_v,
                                                                 cross_k=cross, cross_v=cross, src_len=src_len, top_k=np.array([k], np.int64)))
            np.testing.assert_array_equal(sk, pk)
            np.testing.assert_array_equal(sv, pv)
            np.testing.assert_array_equal(ids, np.argsort(-logits, axis=1, kind="stable")[:, :k])
            np.testing.assert_array_equal(top, np.take_along_axis(logits, ids, 1))
            # float32 (the browser's WASM build has no float64 kernels); within float32 rounding of the float64 value.
            self.assertEqual(norm.dtype, np.float32)
            wide = logits.astype(np.float64)
            top_logit = wide.max(1, keepdims=True)
            np.testing.assert_allclose(norm, top_logit + np.log(np.exp(wide - top_logit).sum(1, keepdims=True)), rtol=1e-6, atol=1e-5)

    def test_no_float64_anywhere(self):
        import onnx
        m = onnx.load(str(Path(self.tmp.name) / "pkg" / "decoder_step_search.onnx"), load_external_data=False)
        doubles = [n.name for n in m.graph.node if n.op_type == "Cast" and any(a.name == "to" and a.i == onnx.TensorProto.DOUBLE for a in n.attribute)]
        doubles += [v.name for v in list(m.graph.input) + list(m.graph.output) if v.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE]
        self.assertEqual(doubles, [], "the browser's onnxruntime-web WASM build has no float64 kernels")

    def test_lean_after_onnxruntime_optimizes_it(self):
        """A step is mostly per-node overhead at one row (docs/PERFORMANCE.md, "Leaner step graphs"): once onnxruntime
        has optimized the graph, no Transpose (heads split and merged by reshapes, K^T fused into the MatMul), no
        Sqrt (the traced SDPA's scale), every Linear a Gemm, and no Concat other than the cache's and the new
        positions' stacking."""
        import onnx
        with tempfile.TemporaryDirectory() as tmp:
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            so.optimized_model_filepath = str(Path(tmp) / "optimized.onnx")
            ort.InferenceSession(str(graph_dir(Path(self.tmp.name) / "pkg") / "decoder_step_search.onnx"), so, providers=["CPUExecutionProvider"])
            ops = [n.op_type for n in onnx.load(so.optimized_model_filepath, load_external_data=False).graph.node]
        Ld = self.manifest["dims"]["decoderLayers"]
        self.assertEqual([op for op in ops if op in ("Transpose", "Sqrt", "IsNaN")], [])
        self.assertEqual(ops.count("MatMul"), 1 + Ld * 2, "the output projection (E^T) and each attention's probabilities x V")
        self.assertEqual(ops.count("Gemm") + ops.count("FusedGemm"), Ld * 8, "q, k, v, o of both attentions and the two FFN layers")
        self.assertEqual(ops.count("FusedMatMul"), Ld * 2, "Q K^T / sqrt(dh) of both attentions")
        self.assertLessEqual(ops.count("Concat"), Ld * 2 + 2)


class ShortlistGraphTest(unittest.TestCase):
    """decoder_step_search_<lang>.onnx (shortlist.py) is the search step over the shortlist's ids only: its top-k is
    the full step's logits ranked within the shortlist, mapped back to full ids, and log_norm the shortlist's
    log-sum-exp; the cache it returns is the full graph's."""

    @classmethod
    def setUpClass(cls):
        out, so = _exported(cls, "fp16", shortlists=True)
        cls.plain = ort.InferenceSession(str(out / "decoder_step.onnx"), so)
        cls.short = {lang: (spec["vocab"], ort.InferenceSession(str(out / spec["file"]), so))
                     for lang, spec in cls.manifest["searchShortlists"].items()}
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=str(out / "tokenizer.model"))
        cls.expected = {}
        for line in (Path(cls.tmp.name) / "run" / "train.tsv").read_text(encoding="utf-8").splitlines():
            _, a, b, ta, tb = line.split("\t")
            cls.expected.setdefault(a, set()).update(sp.encode(ta))
            cls.expected.setdefault(b, set()).update(sp.encode(tb))
        for ids in cls.expected.values():
            ids.update({sp.eos_id(), sp.unk_id()})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_each_language_keeps_the_ids_of_its_targets(self):
        self.assertEqual(set(self.short), {"en", "ko", "de"})
        weights = (Path(self.tmp.name) / "pkg" / "weights.bin").read_bytes()
        for lang, (vocab, _) in self.short.items():
            self.assertEqual(vocab, len(self.expected[lang]), lang)
            self.assertIn(SHORTLIST_FILE.format(lang=lang), self.manifest["files"])
            at = self.manifest["searchShortlists"][lang]["ids"]          # what the engine reads for the attention step
            ids = np.frombuffer(weights[at["offset"]: at["offset"] + at["length"]], dtype="<i4")
            self.assertEqual(ids.tolist(), sorted(self.expected[lang]), lang)

    def test_no_float16_in_the_graphs_and_the_same_outputs_as_casts(self):
        """weights.bin stores float16, yet no graph holds a float16 tensor or a Cast of one: each reads float32 from
        the widened file (export.widen_storage), so onnxruntime folds no Cast when it opens a session, and no float16
        reaches onnxruntime-web's WebGPU kernels (which need shader-f16, missing on many adapters). The widened
        graphs compute exactly what the float16 + Cast graphs compute."""
        import onnx
        from models.training.export import WIDENED_FILE
        pkg = Path(self.tmp.name) / "pkg"
        widened = self.manifest["widenedWeights"]
        self.assertEqual(widened["file"], WIDENED_FILE)
        self.assertFalse((pkg / WIDENED_FILE).exists(), "the widened file is never part of a package")
        self.assertNotIn(WIDENED_FILE, self.manifest["files"])
        weights = (pkg / "weights.bin").read_bytes()
        widened_size = 2 * sum(length for _, length in widened["spans"])
        self.assertGreater(widened_size, len(weights), "most of weights.bin is float16")
        files = [g["file"] for g in self.manifest["graphs"].values()] + [s["file"] for s in self.manifest["searchShortlists"].values()]
        for file in files:
            g = onnx.load(str(pkg / file), load_external_data=False).graph
            self.assertEqual([i.name for i in g.initializer if i.data_type == onnx.TensorProto.FLOAT16], [], file)
            inits = {i.name for i in g.initializer}
            self.assertEqual([n.name for n in g.node if n.op_type == "Cast" and inits & set(n.input)], [], file)
            for i in g.initializer:
                d = {e.key: e.value for e in i.external_data}
                if d.get("location") == WIDENED_FILE:
                    self.assertEqual(i.data_type, onnx.TensorProto.FLOAT, i.name)
                    self.assertLessEqual(int(d["offset"]) + int(d["length"]), widened_size, i.name)
        # The same model exported with float16 + Casts: the same numbers out of the same inputs.
        casts = Path(self.tmp.name) / "casts"
        export_package(Path(self.tmp.name) / "run", casts, dtype="fp16", search_step=True,
                       shortlist_data=Path(self.tmp.name) / "run" / "train.tsv", widen=False)
        self.assertEqual((casts / "weights.bin").read_bytes(), weights, "the same weights file either way")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        V = self.manifest["dims"]["vocab"]
        rng = np.random.default_rng(5)
        feeds = step_feeds(self.manifest["dims"], rng)
        for file in ("encoder.onnx", SHORTLIST_FILE.format(lang="ko")):
            a = ort.InferenceSession(str(graph_dir(pkg) / file), so)
            b = ort.InferenceSession(str(casts / file), so)
            f = {"src_ids": rng.integers(4, V, (1, 7)).astype(np.int64)} if file == "encoder.onnx" else feeds
            f = {k: v for k, v in f.items() if k in {i.name for i in a.get_inputs()}}
            for x, y in zip(a.run(None, f), b.run(None, f)):
                np.testing.assert_array_equal(x, y, file)

    def test_top_k_and_log_norm_over_the_shortlist(self):
        d = self.manifest["dims"]
        Ld, H, dh, V = d["decoderLayers"], d["heads"], d["dHead"], d["vocab"]
        rng = np.random.default_rng(2)
        for lang, (vocab, session) in self.short.items():
            ids = np.array(sorted(self.expected[lang]))
            for rows, n, T in ((1, 1, 0), (4, 4, 5), (3, 2, 2)):
                past = rng.standard_normal((Ld, rows, H, T, dh)).astype(np.float32)
                cross = rng.standard_normal((Ld, n, H, 6, dh)).astype(np.float32)
                tokens = rng.integers(4, V, (n, 1)).astype(np.int64)
                beam_idx = rng.integers(0, rows, n).astype(np.int64)
                src_len = rng.integers(1, 7, n).astype(np.int64)
                k = min(8, vocab)
                logits, pk, _ = self.plain.run(None, dict(tokens=tokens, past_k=past[:, beam_idx], past_v=past[:, beam_idx],
                                                          cross_k=cross, cross_v=cross, src_len=src_len))
                top, top_ids, norm, sk, _ = session.run(None, dict(tokens=tokens, beam_idx=beam_idx, past_k=past, past_v=past, cross_k=cross,
                                                                    cross_v=cross, src_len=src_len, top_k=np.array([k], np.int64)))
                np.testing.assert_array_equal(sk, pk)
                within = logits[:, ids]
                np.testing.assert_array_equal(top_ids, ids[np.argsort(-within, axis=1, kind="stable")[:, :k]], f"{lang}: top ids")
                np.testing.assert_allclose(top, np.take_along_axis(logits, top_ids, 1), rtol=1e-6, atol=1e-6)
                wide = within.astype(np.float64)
                m = wide.max(1, keepdims=True)
                np.testing.assert_allclose(norm, m + np.log(np.exp(wide - m).sum(1, keepdims=True)), rtol=1e-6, atol=1e-5)


class PaddedBatchTest(unittest.TestCase):
    """Sentences of different lengths share an encoder and decoder run right-padded: each row's logits are its
    logits alone (the encoder masks pad ids itself, the decoder graphs mask cross-attention by src_len)."""

    @classmethod
    def setUpClass(cls):
        out, so = _exported(cls, "fp32")
        cls.encoder = ort.InferenceSession(str(out / "encoder.onnx"), so)
        cls.steps = {name: ort.InferenceSession(str(out / f"{name}.onnx"), so) for name in ("decoder_step", "decoder_step_attn")}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_padded_rows_match_their_sentence_alone(self):
        d, pad = self.manifest["dims"], self.manifest["special"]["pad"]
        Ld, H, dh, V = d["decoderLayers"], d["heads"], d["dHead"], d["vocab"]
        rng = np.random.default_rng(1)
        lengths = [9, 4, 6]
        S = max(lengths)
        sentences = [rng.integers(4, V, n).astype(np.int64) for n in lengths]
        batch = np.full((len(lengths), S), pad, np.int64)
        for b, ids in enumerate(sentences):
            batch[b, : len(ids)] = ids
        bk, bv = self.encoder.run(None, {"src_ids": batch})
        tokens = rng.integers(4, V, (len(lengths), 1)).astype(np.int64)
        empty = np.zeros((Ld, len(lengths), H, 0, dh), np.float32)
        for name, step in self.steps.items():
            together = step.run(None, dict(tokens=tokens, past_k=empty, past_v=empty, cross_k=bk, cross_v=bv,
                                           src_len=np.array(lengths, np.int64)))
            for b, ids in enumerate(sentences):
                ak, av = self.encoder.run(None, {"src_ids": ids[None]})
                np.testing.assert_allclose(bk[:, b, :, : len(ids)], ak[:, 0], rtol=1e-4, atol=1e-5)
                alone = step.run(None, dict(tokens=tokens[b : b + 1], past_k=empty[:, :1], past_v=empty[:, :1], cross_k=ak, cross_v=av,
                                            src_len=np.array([len(ids)], np.int64)))
                np.testing.assert_allclose(together[0][b], alone[0][0], rtol=1e-4, atol=1e-4, err_msg=f"{name} row {b} logits")
                if name == "decoder_step_attn":
                    cross_attn = together[-1][b]                       # (Ld,H,1,S): nothing on the padding
                    np.testing.assert_array_equal(cross_attn[..., len(ids):], 0)
                    np.testing.assert_allclose(cross_attn[..., : len(ids)], alone[-1][0], rtol=1e-4, atol=1e-5)


class DecoderAttnGraphTest(unittest.TestCase):
    """decoder_attn.onnx gives, in one run over a finished translation's tokens, the attention rows the step graph
    with attention outputs gives one step at a time along them (what the engine shows for a translation)."""

    @classmethod
    def setUpClass(cls):
        out, so = _exported(cls, "fp16")
        cls.step = ort.InferenceSession(str(out / "decoder_step_attn.onnx"), so)
        cls.whole = ort.InferenceSession(str(out / "decoder_attn.onnx"), so)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_manifest_describes_it(self):
        spec = self.manifest["graphs"]["decoderAttn"]
        self.assertEqual(spec["file"], "decoder_attn.onnx")
        # cross_v only feeds the attention of later layers (probabilities need queries and keys): a one-layer decoder's
        # graph has no such input, and the engine feeds the inputs the manifest lists.
        expected = ["tokens", "cross_k", "cross_v", "src_len"] if self.manifest["dims"]["decoderLayers"] > 1 else ["tokens", "cross_k", "src_len"]
        self.assertEqual([i["name"] for i in spec["inputs"]], expected)
        self.assertEqual([o["name"] for o in spec["outputs"]], ["dec_attn", "cross_attn"])
        self.assertIn("decoder_attn.onnx", self.manifest["files"])

    def test_one_run_gives_every_step_s_rows(self):
        d = self.manifest["dims"]
        Ld, H, dh, V = d["decoderLayers"], d["heads"], d["dHead"], d["vocab"]
        rng = np.random.default_rng(3)
        for B, T, S, lens in ((1, 1, 5, [5]), (1, 9, 6, [6]), (2, 4, 8, [8, 3])):
            tokens = rng.integers(4, V, (B, T)).astype(np.int64)
            ck = rng.standard_normal((Ld, B, H, S, dh)).astype(np.float32)
            cv = rng.standard_normal((Ld, B, H, S, dh)).astype(np.float32)
            src_len = np.array(lens, np.int64)
            feeds = dict(tokens=tokens, cross_k=ck, cross_v=cv, src_len=src_len)
            dec, cross = self.whole.run(None, {i.name: feeds[i.name] for i in self.whole.get_inputs()})
            self.assertEqual(dec.shape, (B, Ld, H, T, T))
            self.assertEqual(cross.shape, (B, Ld, H, T, S))
            past_k = past_v = np.zeros((Ld, B, H, 0, dh), np.float32)
            for t in range(T):
                _, new_k, new_v, dec_t, cross_t = self.step.run(None, dict(tokens=tokens[:, t:t + 1], past_k=past_k, past_v=past_v,
                                                                            cross_k=ck, cross_v=cv, src_len=src_len))
                self.assertEqual(new_k.shape, (Ld, B, H, 1, dh))
                past_k, past_v = np.concatenate([past_k, new_k], 3), np.concatenate([past_v, new_v], 3)     # as the engine keeps it
                np.testing.assert_allclose(dec[:, :, :, t, : t + 1], dec_t[:, :, :, 0], rtol=1e-4, atol=1e-5, err_msg=f"step {t} decoder")
                np.testing.assert_array_equal(dec[:, :, :, t, t + 1:], 0)                 # nothing on later positions
                np.testing.assert_allclose(cross[:, :, :, t], cross_t[:, :, :, 0], rtol=1e-4, atol=1e-5, err_msg=f"step {t} cross")
            for b, n in enumerate(lens):
                np.testing.assert_array_equal(cross[b, ..., n:], 0)                       # nothing on the padding


class DevScoreDecodingTest(unittest.TestCase):
    """devscore.py (which decides whether a continuation ships) decodes through the package's step graph: it keeps
    the cache itself, appending each step's new_k/new_v, and must choose PyTorch's greedy tokens."""

    @classmethod
    def setUpClass(cls):
        import torch
        cls.tmp = tempfile.TemporaryDirectory()
        run = Path(cls.tmp.name) / "run"
        run.mkdir()
        _tiny_run(run)
        # A random model's next token barely depends on the tokens before it (the residual stream is mostly the current
        # token's embedding): strong decoder self-attention makes it depend on them, so a cache kept wrong shows.
        ckpt = torch.load(run / "model.pt")
        for name, t in ckpt["model"].items():
            if ".self_attn." in name and name.endswith(".weight"):
                t.mul_(6.0)
        torch.save(ckpt, run / "model.pt")
        export_package(run, Path(cls.tmp.name) / "pkg", dtype="fp32")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_greedy_through_the_graphs_is_pytorch_s(self):
        import torch
        from models.training.decode import greedy
        from models.training.devscore import PackageTranslator
        from models.training.export import load_run
        model, _, _ = load_run(Path(self.tmp.name) / "run")
        tr = PackageTranslator(Path(self.tmp.name) / "pkg")
        self.assertTrue(tr.appends)
        sp, special = tr.sp, tr.special
        for text, tgt in (("The quick brown fox jumps over the lazy dog.", "de"), ("오늘 날씨가 정말 좋네요.", "en")):
            src = [special["tags"][tgt]] + sp.encode(text) + [special["eos"]]
            with torch.no_grad():
                tokens, _, _ = greedy(model, src, special["bos"], special["eos"])
            self.assertEqual(tr.translate(text, tgt), sp.decode([t for t in tokens if t != special["eos"]]), text)


if __name__ == "__main__":
    unittest.main()
