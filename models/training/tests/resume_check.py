"""CI proof that training continues from committed state (issue 8): a trained tiny run is exported to a package,
its state written as models/training/state/*.json would be, and a fresh run folder (as on a new clone: no
last.pt, no optimizer state) continues from it. The continued run must start where the first one ended (its
loss near the first run's last loss, far below a fresh start) and keep learning.

  .venv/bin/python -m models.training.tests.resume_check --run build/ci-pipeline/run --data build/ci-pipeline/data --work build/ci-pipeline/resume
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from ..continuation import write_state
from ..export import export_package


def losses(run: Path) -> list[dict]:
    rows = [json.loads(l) for l in (run / "log.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    return [r for r in rows if "loss" in r and "step" in r]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args(argv)
    run, work = Path(args.run), Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    meta = torch.load(run / "model.pt", map_location="cpu")
    _, tensors = export_package(run, work / "models" / "ci-resume", "int8", "ci-resume")   # the shipped form (continuation.py)
    state_file = work / "state.json"
    write_state(state_file, meta["config"], "ci-resume", meta, tensors)
    state = json.loads(state_file.read_text())
    state["packageDir"] = str(work / "models" / "ci-resume")
    state_file.write_text(json.dumps(state))

    resumed = work / "run"
    subprocess.run([sys.executable, "-m", "models.training.train", "--config", meta["config"], "--data", args.data,
                    "--out", str(resumed), "--init-state", str(state_file), "--add-steps", str(args.steps), "--add-minutes", "5"],
                   check=True, stdout=subprocess.DEVNULL)
    first, after = losses(run), losses(resumed)
    events = [json.loads(l) for l in (resumed / "log.jsonl").read_text().splitlines()]
    start = next(e for e in events if e.get("event") == "resume_from_package")
    fresh, ended = first[0]["loss"], first[-1]["loss"]
    print(f"first run: loss {fresh} at step {first[0]['step']} -> {ended} at step {first[-1]['step']}; "
          f"resumed at step {start['step']}: " + ", ".join(f"{r['loss']} (step {r['step']})" for r in after))
    problems = []
    if start["step"] != meta["step"]:
        problems.append(f"resumed at step {start['step']}, the state says {meta['step']}")
    if after[0]["step"] <= meta["step"]:
        problems.append("the step counter started again")
    if after[0]["loss"] > ended + 0.25 * (fresh - ended):
        problems.append(f"the first loss after resuming ({after[0]['loss']}) is not near where the run ended ({ended})")
    # Batch losses depend on the batch's sentence lengths; the dev loss is the fair measure of "keeps learning".
    dev_before = next(e for e in map(json.loads, (run / "log.jsonl").read_text().splitlines()[::-1]) if e.get("event") == "done")["dev_loss"]
    dev_after = next(e for e in events[::-1] if e.get("event") == "done")["dev_loss"]
    print(f"dev loss: {dev_before} when the first run ended, {dev_after} after {args.steps} more steps")
    if dev_after >= dev_before:
        problems.append(f"the continued run's dev loss ({dev_after}) is not below the first run's ({dev_before})")
    final = torch.load(resumed / "model.pt", map_location="cpu")
    if final["target_tokens_seen"] <= meta["target_tokens_seen"] or final["cpu_seconds"] <= meta["cpu_seconds"]:
        problems.append("tokens seen and CPU time must keep counting across the resume")

    # The other committed form: a run that has not shipped yet commits its float16 weights and tokenizer instead.
    weights = work / "unshipped.pt"
    torch.save({k: v.half() for k, v in torch.load(run / "last.pt", map_location="cpu")["model"].items()}, weights)
    unshipped = {k: v for k, v in state.items() if k not in ("tensors", "packageDir", "package")}
    unshipped.update(weightsFile=str(weights), tokenizerFile=str(run / "tokenizer.model"))
    (work / "unshipped.json").write_text(json.dumps(unshipped))
    subprocess.run([sys.executable, "-m", "models.training.train", "--config", meta["config"], "--data", args.data,
                    "--out", str(work / "run2"), "--init-state", str(work / "unshipped.json"), "--add-steps", "10",
                    "--add-minutes", "5", "--skip-final"], check=True, stdout=subprocess.DEVNULL)
    again = losses(work / "run2")
    print(f"resumed from committed float16 weights: " + ", ".join(f"{r['loss']} (step {r['step']})" for r in again))
    if not again or again[0]["step"] <= meta["step"] or again[0]["loss"] > ended + 0.25 * (fresh - ended):
        problems.append("resuming from committed float16 weights did not continue where the run ended")
    for p in problems:
        print("FAIL:", p)
    print("resume: ok" if not problems else "resume: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
