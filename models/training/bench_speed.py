"""Training speed before and after, measured side by side in one run on the same data (issue 8, item 2):

  before: v2's setup: the `small` shape (d256, 4+2, 8k vocabulary), float32, one process with 2 threads
  after:  the `cpu` configuration: its shape and 16k vocabulary, bf16 autocast, 2 DDP ranks x 1 thread

Each trains --steps steps through train.py itself (real batches of build/data) and reports the median target
tokens/s and sentences/s of its logged windows after the first; the ratio is what the model card quotes.
Sentences/s is the fair measure across vocabularies: the 16k tokenizer needs fewer pieces per sentence.

  .venv/bin/python -m models.training.bench_speed --steps 120 [--tok8k build/tok-report/spm8000.model] \
      [--json models/training/log/speed-cpu.json]      # the file the model card's speed table is written from
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .train import TRAIN_ENV


def run(label: str, cmd: list[str], out: Path) -> dict:
    # Both setups start as continuation.py starts training (TRAIN_ENV: malloc on huge pages), so the ratio is the
    # setups' own: shape, vocabulary, precision, processes and threads.
    subprocess.run(cmd + ["--out", str(out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **TRAIN_ENV})
    rows = [json.loads(l) for l in (out / "log.jsonl").read_text().splitlines()]
    windows = [r for r in rows if "tok_per_s" in r][1:]   # the first window includes warm-up
    return {"setup": label, "tok_per_s": statistics.median(r["tok_per_s"] for r in windows),
            "sent_per_s": statistics.median(r["sent_per_s"] for r in windows), "windows": len(windows)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--tok8k", default="build/tok-report/spm8000.model", help="an 8k tokenizer of the same data (v2's size)")
    ap.add_argument("--tok16k", default=None, help="the cpu config's tokenizer (default: the shipped package's)")
    ap.add_argument("--json", default=None, help="also write the figures here (card.py reads models/training/log/speed-<config>.json)")
    args = ap.parse_args(argv)
    py = sys.executable
    tok16k = args.tok16k or str(Path("models") / Path("models/DEFAULT").read_text().strip() / "tokenizer.model")
    common = ["-m", "models.training.train", "--data", args.data, "--add-steps", str(args.steps), "--add-minutes", "60", "--skip-final",
              "--log-every", str(max(1, args.steps // 6))]
    with tempfile.TemporaryDirectory() as tmp:
        before = run("v2: small, fp32, 1 process x 2 threads",
                     [py, *common, "--config", "small", "--fp32", "--threads", "2", "--tokenizer", args.tok8k], Path(tmp) / "before")
        after = run("v3: cpu, bf16, 2 DDP ranks x 1 thread",
                    [str(Path(py).parent / "torchrun"), "--nproc_per_node=2", "--master_addr", "127.0.0.1", "--master_port", "29541",
                     *common, "--config", "cpu", "--tokenizer", tok16k], Path(tmp) / "after")
    for r in (before, after):
        print(f"{r['setup']:44} {r['tok_per_s']:7.0f} target tokens/s  {r['sent_per_s']:6.1f} sentences/s  ({r['windows']} windows)")
    ratio_tok, ratio_sent = after["tok_per_s"] / before["tok_per_s"], after["sent_per_s"] / before["sent_per_s"]
    print(f"ratio after/before: {ratio_tok:.2f}x target tokens/s, {ratio_sent:.2f}x sentences/s")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"), "steps": args.steps,
            "before": before, "after": after, "ratio_tok": round(ratio_tok, 3), "ratio_sent": round(ratio_sent, 3),
        }, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
