"""Writes the engine's golden references: what PyTorch computes for ~20 sentences, for the TypeScript tests to match.

  .venv/bin/python -m models.training.golden --run build/runs/small --package models/<id> --out test/fixtures/engine-golden.json

For each sentence: the encoder input ids, a slice of encoder self-attention, the first steps' logits and
decoder/cross-attention rows along the greedy output (teacher-forced, so a tiny numeric difference cannot
make the comparison drift), and the greedy and beam-4 outputs. When the package stores float16 weights,
the PyTorch weights are rounded the same way first, so both sides compute with the same numbers.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import torch

from .decode import beam_search
from .export import load_from_package, load_run, tensor_map

SENTENCES = [
    ("ko", "en", "은행에 가서 돈을 찾았다."),
    ("ko", "en", "트랜스포머는 어텐션만 사용합니다."),
    ("ko", "en", "이 함수는 리스트를 반환합니다."),
    ("ko", "en", "파일을 저장하시겠습니까?"),
    ("ko", "en", "모델을 학습시키려면 데이터가 필요합니다."),
    ("en", "ko", "The Transformer is based solely on attention mechanisms."),
    ("en", "ko", "Returns a list of strings."),
    ("en", "ko", "Click the button to save the file."),
    ("en", "ko", "This function takes two arguments."),
    ("en", "ko", "Attention is all you need."),
    ("en", "de", "A man is riding a bicycle."),
    ("en", "de", "Two dogs are playing in the snow."),
    ("en", "de", "The president said on Monday that the talks would continue."),
    ("en", "de", "Open the file and select the text."),
    ("en", "de", "Attention is all you need."),
    ("de", "en", "Ein Mann fährt Fahrrad."),
    ("de", "en", "Zwei Kinder spielen im Park."),
    ("de", "en", "Die Regierung hat neue Gesetze beschlossen."),
    ("de", "en", "Wählen Sie Extras - Optionen."),
    ("de", "en", "Das ist ein Test."),
]
STEPS = 3          # teacher-forced steps whose logits and attention rows are recorded
LOGIT_SLICE = 16   # first logits of each recorded step, plus the top-5 ids


def round_like_package(model, dtype: str, package: Path):
    """The model's weights as the package stores them: float16-rounded, or int8-block32 codes widened back."""
    if dtype == "int8":
        load_from_package(model, package, tensor_map(model, package / "weights.bin", dtype))
        return
    if dtype != "fp16":
        return
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point() and t.numel() >= 16:
                t.copy_(t.half().float())


def r(values, digits=6):
    return [round(float(v), digits) for v in values]


@torch.no_grad()
def references(model, sp, manifest):
    special = manifest["special"]
    out = []
    for src_lang, tgt_lang, text in SENTENCES:
        ids = [special["tags"][tgt_lang]] + sp.encode(text) + [special["eos"]]
        src = torch.tensor([ids])
        memory, _, enc_probs = model.encode(src, need_probs=True)
        ck, cv = model.cross_kv(memory)
        greedy_ids, g_score, _ = beam_search(model, ids, special["bos"], special["eos"], beam=1)
        beam_ids, b_score, b_norm = beam_search(model, ids, special["bos"], special["eos"], beam=4)
        Ld, _, H, _, dh = ck.shape
        pk = pv = torch.zeros(Ld, 1, H, 0, dh)
        forced = [special["bos"]] + greedy_ids
        steps = []
        for t in range(min(STEPS, len(forced))):
            logits, pk, pv, dec_p, cross_p = model.decode_step(torch.tensor([[forced[t]]]), pk, pv, ck, cv, need_probs=True)
            steps.append({
                "input": forced[t],
                "logits": r(logits[0, :LOGIT_SLICE]),
                "top5": torch.topk(logits[0], 5).indices.tolist(),
                "decAttn": r(dec_p[0, -1, 0, 0]),            # last decoder layer, head 0, keys 0..t
                "crossAttn": r(cross_p[0, -1, 0, 0]),        # last decoder layer, head 0, all source tokens
            })
        # How far apart the two best logits were at each greedy choice: where they are closer than the engine's
        # logit tolerance, float rounding may pick the other token, and the engine test allows that (only there).
        margins = []
        pk = pv = torch.zeros(Ld, 1, H, 0, dh)
        for t in range(len(greedy_ids)):
            logits, pk, pv = model.decode_step(torch.tensor([[forced[t]]]), pk, pv, ck, cv)
            top2 = torch.topk(logits[0], 2).values
            margins.append(round(float(top2[0] - top2[1]), 6))
        out.append({
            "from": src_lang, "to": tgt_lang, "text": text, "srcIds": ids,
            "encAttnRow": r(enc_probs[-1][0, 0, 1]),        # last encoder layer, head 0, query = first piece
            "steps": steps,
            "greedy": {"ids": greedy_ids, "text": sp.decode(greedy_ids), "score": round(g_score, 4), "margins": margins},
            "beam": {"ids": beam_ids, "text": sp.decode(beam_ids), "score": round(b_score, 4), "normalized": round(b_norm, 4)},
        })
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    import sentencepiece as spm
    pkg = Path(args.package)
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    model, _, _ = load_run(Path(args.run))
    round_like_package(model, manifest.get("weightsDtype", "fp32"), pkg)
    sp = spm.SentencePieceProcessor(model_file=str(pkg / manifest["tokenizer"]["model"]))
    weights_sha = hashlib.sha256((pkg / manifest["weights"]).read_bytes()).hexdigest()
    golden = {"package": manifest["id"], "weightsSha256": weights_sha, "tolerance": {"logits": 2e-3, "attention": 1e-4},
              "sentences": references(model, sp, manifest)}
    Path(args.out).write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    agree = sum(s["greedy"]["ids"] == s["beam"]["ids"] for s in golden["sentences"])
    print(f"wrote {args.out}: {len(golden['sentences'])} sentences ({agree} with beam == greedy)")


if __name__ == "__main__":
    main()
