"""Issue 12 experiment: what the quantized packages of bench/quantize_variants.py cost in translation quality.
Translates the first N lines of FLORES-200 devtest ko->en and en->ko with each package through the CLI (beam 4),
scores chrF with sacrebleu against the other language's file, counts lines that differ from the base package's
output, and notes each run's CPU seconds (user + system of the CLI process, from wait4: the runs go in parallel, at
nice 15, because the machine's cores are taken by training; CPU seconds, unlike wall seconds, stay comparable).
Outputs go to <dir>/out/<variant>.<from>-<to>.txt; the table is printed and written as JSON.

  .venv/bin/python bench/quant_quality.py [--dir build/int8] [--variants base,q8proj,q8dec] [--lines 200]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import sacrebleu

REPO = Path(__file__).resolve().parents[1]
EVAL = Path("/work/shared/corpora/eval")
FILES = {"ko": "flores200.devtest.kor_Hang", "en": "flores200.devtest.eng_Latn"}


def first_lines(path: Path, n: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:n]


def start(package: Path, src: str, tgt: str, lines: list[str], beam: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen(["nice", "-n", "15", "node", str(REPO / "dist/cli.js"), "translate", "--from", src, "--to", tgt,
                             "--beam", str(beam), "--model", str(package)],
                            stdin=_text_file(out.with_suffix(".in"), lines), stdout=out.open("w", encoding="utf-8"),
                            stderr=out.with_suffix(".err").open("w"), cwd=REPO)


def _text_file(path: Path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.open("rb")


def finish(proc: subprocess.Popen) -> float:
    """Waits for the CLI; its user + system CPU seconds."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(REPO / "build/int8"))
    ap.add_argument("--variants", default="base,q8proj,q8dec")
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--beam", type=int, default=4)
    args = ap.parse_args(argv)
    root = Path(args.dir)
    names = args.variants.split(",")
    if names[0] != "base":
        raise SystemExit("--variants must start with base (the others are compared with it)")
    (root / "out").mkdir(exist_ok=True)
    jobs = {}
    for src, tgt in (("ko", "en"), ("en", "ko")):
        source = first_lines(EVAL / FILES[src], args.lines)
        for name in names:
            out = root / "out" / f"{name}.{src}-{tgt}.txt"
            jobs[(src, tgt, name)] = (out, time.monotonic(), start(root / name, src, tgt, source, args.beam, out))
    report = {}
    for (src, tgt, name), (out, t0, proc) in jobs.items():
        cpu = finish(proc)
        if proc.returncode != 0:
            raise SystemExit(f"{name} {src}->{tgt}: the CLI failed: {out.with_suffix('.err').read_text()[-500:]}")
        report.setdefault(f"{src}-{tgt}", {})[name] = {"out": out, "cpuSeconds": cpu, "wallSeconds": time.monotonic() - t0}
    for pair, runs in report.items():
        src, tgt = pair.split("-")
        refs = first_lines(EVAL / FILES[tgt], args.lines)
        base = runs["base"]["out"].read_text(encoding="utf-8").rstrip("\n").split("\n")
        for name, r in runs.items():
            hyp = r.pop("out").read_text(encoding="utf-8").rstrip("\n").split("\n")
            if len(hyp) != len(refs):
                raise SystemExit(f"{name} {pair}: {len(hyp)} lines out for {len(refs)} in")
            r["chrf"] = round(sacrebleu.corpus_chrf(hyp, [refs]).score, 2)
            r["linesChanged"] = sum(a != b for a, b in zip(hyp, base))
            r["cpuRatio"] = round(r["cpuSeconds"] / runs["base"]["cpuSeconds"], 3)
            print(f"{pair} {name:12} chrF {r['chrf']:6.2f}  lines changed vs base {r['linesChanged']:3}/{len(hyp)}  "
                  f"CLI CPU {r['cpuSeconds']:6.1f} s ({r['cpuRatio']:.2f}x base)", flush=True)
    (root / "quality.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
