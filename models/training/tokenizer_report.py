"""Compares tokenizers by measurement: trains one per vocabulary size on the same spm.txt and reports, on the
dev pairs, pieces per word for each language, the share of Korean words kept as one piece, and pieces per
sentence (what training and decoding pay for).

  .venv/bin/python -m models.training.tokenizer_report --data build/data --vocab 8000 16000 24000 --out build/tok-report
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import sentencepiece as spm

from . import tokenizer as tok

BANK = "은행에 가서 돈을 찾았다"


def dev_sides(dev_tsv: Path) -> dict[str, list[str]]:
    """dev.tsv rows -> {"en": [...], "ko": [...], "de": [...]} (English from both pairs)."""
    sides: dict[str, list[str]] = {"en": [], "ko": [], "de": []}
    for line in dev_tsv.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            sides[parts[1]].append(parts[3])
            sides[parts[2]].append(parts[4])
    return sides


def measure(model_file: str, sides: dict[str, list[str]]) -> dict:
    sp = spm.SentencePieceProcessor(model_file=model_file)
    row: dict = {}
    for lang, texts in sides.items():
        words = sum(len(t.split()) for t in texts)
        pieces = sum(len(ids) for ids in sp.encode(texts))
        row[f"{lang}_pieces_per_word"] = round(pieces / max(words, 1), 3)
        row[f"{lang}_pieces_per_sentence"] = round(pieces / max(len(texts), 1), 2)
    ko_words = [w for t in sides["ko"] for w in t.split()]
    whole = sum(1 for ids in sp.encode(ko_words) if len(ids) == 1)
    row["ko_words_whole"] = round(whole / max(len(ko_words), 1), 3)
    row["bank"] = " ".join(sp.encode(BANK, out_type=str))
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--vocab", type=int, nargs="+", default=[8000, 16000, 24000])
    ap.add_argument("--coverage", type=float, default=tok.DEFAULT_CHARACTER_COVERAGE)
    ap.add_argument("--out", default="build/tok-report")
    args = ap.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    sides = dev_sides(data / "dev.tsv")
    rows = []
    for v in args.vocab:
        prefix = out / f"spm{v}"
        if not Path(f"{prefix}.model").exists():
            tok.train_tokenizer(str(data / "spm.txt"), str(prefix), v, character_coverage=args.coverage)
        row = {"vocab": v, **measure(f"{prefix}.model", sides)}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    (out / "report.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
