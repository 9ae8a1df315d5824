"""Dev scores of a model package, the same way for any package (whatever its tokenizer or shape): greedy
decoding through the package's own ONNX graphs with onnxruntime, chrF (sacrebleu) per direction on dev.tsv.
This is what decides whether a continuation's package replaces the shipped one (continuation.py).

  .venv/bin/python -m models.training.devscore --package models/<id> [--data build/data] [--per-direction 200]
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import sacrebleu
import sentencepiece as spm

from .ort_package import graph_dir


class PackageTranslator:
    """Greedy decoding with the package's encoder and decoder_step graphs (batch 1, KV cache)."""

    def __init__(self, package: Path, threads: int = 1):
        self.manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        g, graphs = self.manifest["graphs"], graph_dir(package)
        self.encoder = ort.InferenceSession(str(graphs / g["encoder"]["file"]), opts, providers=["CPUExecutionProvider"])
        self.step = ort.InferenceSession(str(graphs / g["decoderStep"]["file"]), opts, providers=["CPUExecutionProvider"])
        # Packages exported since sentences of different lengths share a decoder run take each row's source length.
        self.takes_src_len = any(i.name == "src_len" for i in self.step.get_inputs())
        # Packages exported since 1 December 2026 return this step's position only (new_k, new_v): the cache grows here.
        self.appends = any(o.name == "new_k" for o in self.step.get_outputs())
        self.sp = spm.SentencePieceProcessor(model_file=str(package / self.manifest["tokenizer"]["model"]))
        d = self.manifest["dims"]
        self.ld, self.h, self.dh, self.max_len = d["decoderLayers"], d["heads"], d["dHead"], d["maxLen"]
        self.special = self.manifest["special"]

    def translate(self, text: str, tgt: str) -> str:
        ids = self.sp.encode(text)[: self.max_len - 2]
        src = np.array([[self.special["tags"][tgt]] + ids + [self.special["eos"]]], dtype=np.int64)
        cross_k, cross_v = self.encoder.run(None, {"src_ids": src})
        past_k = np.zeros((self.ld, 1, self.h, 0, self.dh), dtype=np.float32)
        past_v = past_k
        token, out = self.special["bos"], []
        lengths = {"src_len": np.array([src.shape[1]], dtype=np.int64)} if self.takes_src_len else {}
        for _ in range(min(self.max_len - 1, 2 * src.shape[1] + 10)):
            logits, k, v = self.step.run(None, {"tokens": np.array([[token]], dtype=np.int64), "past_k": past_k,
                                                "past_v": past_v, "cross_k": cross_k, "cross_v": cross_v, **lengths})
            past_k, past_v = (np.concatenate([past_k, k], 3), np.concatenate([past_v, v], 3)) if self.appends else (k, v)
            token = int(logits[0].argmax())
            if token == self.special["eos"]:
                break
            out.append(token)
        return self.sp.decode(out)


def dev_pairs(dev_tsv: Path, per_direction: int) -> dict[str, list[tuple[str, str]]]:
    """{"ko-en": [(src, ref), ...], ...}: the first per_direction dev pairs of each direction."""
    by_dir: dict[str, list[tuple[str, str]]] = {}
    for line in dev_tsv.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 5:
            continue
        _, la, lb, ta, tb = parts
        for d, s, r in ((f"{la}-{lb}", ta, tb), (f"{lb}-{la}", tb, ta)):
            if len(by_dir.setdefault(d, [])) < per_direction:
                by_dir[d].append((s, r))
    return dict(sorted(by_dir.items()))


def dev_score(package: Path, dev_tsv: Path, per_direction: int = 200, cache_dir: Path | None = Path("build/devscore")) -> dict:
    """{direction: chrF} plus "mean"; cached by the package's weights and the dev file's content."""
    key = hashlib.sha256((package / "weights.bin").read_bytes() + (package / "tokenizer.model").read_bytes()
                         + dev_tsv.read_bytes() + str(per_direction).encode()).hexdigest()[:16]
    cached = cache_dir / f"{key}.json" if cache_dir else None
    if cached and cached.exists():
        return json.loads(cached.read_text())
    tr = PackageTranslator(package)
    scores: dict = {}
    for d, pairs in dev_pairs(dev_tsv, per_direction).items():
        hyps = [tr.translate(s, d.split("-")[1]) for s, _ in pairs]
        scores[d] = round(sacrebleu.CHRF().corpus_score(hyps, [[r for _, r in pairs]]).score, 2)
    scores["mean"] = round(sum(v for k, v in scores.items()) / len(scores), 2)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(scores))
    return scores


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", required=True)
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--per-direction", type=int, default=200)
    args = ap.parse_args(argv)
    print(json.dumps(dev_score(Path(args.package), Path(args.data) / "dev.tsv", args.per_direction)))


if __name__ == "__main__":
    main()
