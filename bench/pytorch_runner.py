"""The benchmark's PyTorch runner: the same sentences through models/training/model.py (eager, CPU), same weights,
same thread count as the engine. Started by bench/main.mjs:

  .venv/bin/python bench/pytorch_runner.py --plan out/bench/plan.json --package models/<id>

Decoding is decode.py's algorithm (beam search over the KV-cached decoder step; greedy = beam 1) with torch.topk
ranking the candidates, as an efficient PyTorch program would; with attention it asks the model for its attention
probabilities (encoder, decoder, cross) and keeps the winner's rows, as the engine does. Batches: greedy decodes
all sentences of a direction in one padded batch (decode.greedy_batch); beam 4 goes sentence by sentence.
Prints one JSON object (the RunnerReport of bench/plan.ts) on stdout; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402

from models.training.decode import greedy_batch, length_penalty, max_target_len  # noqa: E402
from models.training.export import load_from_package  # noqa: E402
from models.training.model import Transformer  # noqa: E402
from pytorch_weights import check_against_golden, config_of, package_tensor_map  # noqa: E402


@torch.no_grad()
def beam_search(model, src_ids: list[int], bos: int, eos: int, beam: int, alpha: float, attention: bool):
    """decode.beam_search with torch.topk, and the winner's attention when asked. Returns (tokens, attention|None)."""
    src = torch.tensor([src_ids])
    if attention:
        memory, _, enc_probs = model.encode(src, need_probs=True)
        enc_attn = torch.cat(enc_probs, 0)                                   # (Le,H,S,S)
    else:
        memory, _, _ = model.encode(src)
    ck, cv = model.cross_kv(memory)                                          # (Ld,1,H,S,dh)
    Ld, _, H, S, dh = ck.shape
    past_k = past_v = torch.zeros(Ld, 1, H, 0, dh)
    alive = [([], 0.0, [])]                                                  # (tokens, score, attention rows)
    last, finished = [bos], []
    V = model.cfg.vocab_size
    for _ in range(max_target_len(len(src_ids), model.cfg.max_len)):
        n = len(alive)
        out = model.decode_step(torch.tensor(last).view(n, 1), past_k, past_v, ck.expand(-1, n, -1, -1, -1),
                                cv.expand(-1, n, -1, -1, -1), need_probs=attention)
        logits, pk, pv = out[:3]
        scores = torch.tensor([s for _, s, _ in alive]).unsqueeze(1) + torch.log_softmax(logits.float(), dim=-1)
        top = torch.topk(scores.view(-1), min(2 * beam, n * V))
        new_alive, parents = [], []
        for rank, (score, flat) in enumerate(zip(top.values.tolist(), top.indices.tolist())):
            h, tok = divmod(flat, V)
            tokens = alive[h][0] + [tok]
            rows = alive[h][2] + [(out[3][h], out[4][h])] if attention else alive[h][2]
            if tok == eos:
                if rank < beam:
                    finished.append((tokens, score / length_penalty(len(tokens), alpha), rows))
            elif len(new_alive) < beam:
                new_alive.append((tokens, score, rows))
                parents.append(h)
        if len(finished) >= beam or not new_alive:
            break
        idx = torch.tensor(parents)
        past_k, past_v = pk[:, idx], pv[:, idx]
        alive, last = new_alive, [t[-1] for t, _, _ in new_alive]
    if not finished:
        finished = [(t, s / length_penalty(len(t), alpha), r) for t, s, r in alive]
    tokens, _, rows = max(finished, key=lambda f: f[1])
    if not attention:
        return tokens, None
    # Dense [Ld,H,T,T] decoder and [Ld,H,T,S] cross-attention of the winner, as the engine assembles them.
    T = len(rows)
    dec, cross = torch.zeros(Ld, H, T, T), torch.zeros(Ld, H, T, S)
    for t, (d, c) in enumerate(rows):                                        # d (Ld,H,1,t+1), c (Ld,H,1,S)
        dec[:, :, t, :t + 1] = d[:, :, 0]
        cross[:, :, t] = c[:, :, 0]
    return tokens, {"encoder": enc_attn, "decoder": dec, "cross": cross}


class Runner:
    def __init__(self, model, manifest, sp, plan):
        self.model, self.sp, self.plan = model, sp, plan
        self.special = manifest["special"]
        self.alpha = manifest.get("decoding", {}).get("lengthPenalty", 0.6)

    def src_ids(self, text: str, to: str) -> list[int]:
        return [self.special["tags"][to]] + self.sp.encode(text) + [self.special["eos"]]

    def translate(self, text: str, to: str, beam: int, attention: bool) -> list[int]:
        tokens, _ = beam_search(self.model, self.src_ids(text, to), self.special["bos"], self.special["eos"], beam, self.alpha, attention)
        body = [t for t in tokens if t != self.special["eos"]]
        self.sp.decode(body)                                                 # the text, as the engine detokenizes
        return body

    def cell(self, c: dict) -> dict:
        samples, cpu, outputs = [], 0.0, []
        for r in range(c["repeats"]):
            for sentence in c["sentences"]:
                c0, t0 = time.process_time(), time.perf_counter()
                ids = self.translate(sentence, c["to"], c["beam"], c["attention"])
                samples.append((time.perf_counter() - t0) * 1000)
                cpu += time.process_time() - c0
                if r == 0:
                    outputs.append(ids)
        return {"samplesMs": samples, "cpuMs": cpu * 1000 / len(samples), "outputs": outputs}

    def batch(self, b: dict) -> dict:
        samples, cpu = [], 0.0
        words = sum(len(s.split()) for s in b["sentences"])
        for _ in range(b["repeats"]):
            c0, t0 = time.process_time(), time.perf_counter()
            if b["beam"] == 1:
                self.greedy_batch(b["sentences"], b["to"])
            else:
                for s in b["sentences"]:
                    self.translate(s, b["to"], b["beam"], False)
            samples.append((time.perf_counter() - t0) * 1000)
            cpu += time.process_time() - c0
        return {"samplesMs": samples, "cpuMs": cpu * 1000 / len(samples), "words": words, "sentences": len(b["sentences"])}

    @torch.no_grad()
    def greedy_batch(self, sentences: list[str], to: str) -> list[str]:
        ids = [self.src_ids(s, to) for s in sentences]
        width = max(len(i) for i in ids)
        src = torch.tensor([i + [self.special["pad"]] * (width - len(i)) for i in ids])
        limit = max(max_target_len(len(i), self.model.cfg.max_len) for i in ids)
        return [self.sp.decode(t) for t in greedy_batch(self.model, src, self.special["bos"], self.special["eos"], limit)]


MAX_SETTLE_ROUNDS = 8          # bench/engineRuns.ts


def settle(runner, plan) -> list[float]:
    """The engine's settling rounds (bench/engineRuns.ts warmUp), the same sentences, so both sides start their cells
    alike: the first 25-word sentence of each direction, greedy and beam 4, until a round is not 10% faster than the
    one before (PyTorch eager has no compiler to wait for; its rounds show what its first calls cost)."""
    rounds: list[float] = []
    cells = [c for c in plan["cells"] if c["size"] == "25" and not c["attention"]]
    while len(rounds) < (1 if plan["quick"] else MAX_SETTLE_ROUNDS):
        t0 = time.perf_counter()
        for c in cells:
            runner.translate(c["sentences"][0], c["to"], c["beam"], False)
        rounds.append((time.perf_counter() - t0) * 1000)
        if len(rounds) >= 2 and rounds[-1] >= 0.9 * rounds[-2]:
            break
    return rounds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--golden", default=str(ROOT / "test/fixtures/engine-golden.json"))
    args = ap.parse_args(argv)
    plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
    torch.set_num_threads(plan["threads"])
    torch.set_num_interop_threads(1)
    package = Path(args.package)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    # Not timed: reading the parameter map out of the graphs (a shipped package does not carry one).
    tensors = package_tensor_map(package, manifest, Transformer(config_of(manifest)))
    t0 = time.perf_counter()
    model = Transformer(config_of(manifest))
    load_from_package(model, package, tensors)
    model.eval()
    sp = spm.SentencePieceProcessor(model_file=str(package / manifest["tokenizer"]["model"]))
    load_ms = (time.perf_counter() - t0) * 1000
    weights_sha = hashlib.sha256((package / manifest["weights"]).read_bytes()).hexdigest()
    verdict = check_against_golden(model, Path(args.golden), weights_sha)
    runner = Runner(model, manifest, sp, plan)
    for c in plan["cells"]:                                                  # the same warm-up as the engine's
        if c["size"] == "5" and c["beam"] == 1:
            runner.translate(c["sentences"][0], c["to"], 1, c["attention"])
    settle_rounds_ms = settle(runner, plan)
    cells = {}
    for c in plan["cells"]:
        cells[c["key"]] = runner.cell(c)
        print(f"pytorch: {c['key']}", file=sys.stderr, flush=True)
    batches = {}
    for b in plan["batches"]:
        batches[b["key"]] = runner.batch(b)
        print(f"pytorch: batch {b['key']}", file=sys.stderr, flush=True)
    report = {
        "runtime": "pytorch", "label": f"PyTorch {torch.__version__} eager CPU, {torch.get_num_threads()} thread(s)",
        "loadMs": load_ms, "cells": cells, "batches": batches,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "notes": [f"weights: {verdict}"], "settleRoundsMs": settle_rounds_ms,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
