"""Dev loss per direction of trained weights (a run's model.pt, or a GPU call's float16 state dict), as train.py
computes it at its dev checks: the overall figure mixes the language pairs, so comparing runs that gave the
languages different shares (configs.py `share`) needs each direction's own.

  .venv/bin/python -m models.training.devloss --weights build/runs/cpu/model.pt --tokenizer build/runs/cpu/tokenizer.model [--config cpu] [--data build/data]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import sentencepiece as spm
import torch

from .configs import get_config
from .model import Transformer
from .train import dev_loss_figures, make_examples, read_pairs, token_ids


def load_weights(path: Path) -> dict:
    """A run's model.pt ({"model": state dict, ...}) or a bare (float16) state dict, as float32."""
    state = torch.load(path, map_location="cpu")
    return {k: v.float() for k, v in state.get("model", state).items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, nargs="+", help="one or more weight files, each scored in turn")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--config", default="cpu")
    ap.add_argument("--data", default="build/data")
    args = ap.parse_args(argv)
    cfg = get_config(args.config)
    torch.set_num_threads(1)
    sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
    special, tag_ids = token_ids(sp)
    dev = make_examples(read_pairs(Path(args.data) / "dev.tsv", None), sp, tag_ids, special["eos"], cfg["model"].max_len)
    model = Transformer(cfg["model"])
    for w in args.weights:
        model.load_state_dict(load_weights(Path(w)))
        print(json.dumps({"weights": w, **dev_loss_figures(model, dev, special, torch.device("cpu"), cfg["max_tokens"])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
