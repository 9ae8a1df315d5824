"""Scores a model package on the evaluation sets through the product's own engine (the TypeScript CLI in Node).

  npm run build && .venv/bin/python -m models.training.evaluate --package models/<id> [--limit 200] [--beam 4]

Scores with sacrebleu itself (the reference implementation, pinned in requirements.txt): BLEU with its 13a
tokenizer (for Korean targets also character-level BLEU) and chrF, each with its signature string. Writes the
hypotheses to build/eval/<id>/, the scores and signatures into the package's manifest.json (each set as it finishes;
--resume skips the sets already scored the same way), and prints a table.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sacrebleu

from .evalfiles import read_segments
from .export import write_manifest

FLORES = {"en": "flores200.devtest.eng_Latn", "ko": "flores200.devtest.kor_Hang", "de": "flores200.devtest.deu_Latn"}
# (set name, source lang, target lang, source file, reference file)
EVAL_SETS = [
    ("flores200-devtest", s, t, FLORES[s], FLORES[t]) for s, t in (("ko", "en"), ("en", "ko"), ("de", "en"), ("en", "de"))
] + [
    ("newstest2014", "en", "de", "newstest2014.en-de.en", "newstest2014.en-de.de"),
    ("newstest2014", "de", "en", "newstest2014.en-de.de", "newstest2014.en-de.en"),
    ("tatoeba", "en", "ko", "tatoeba-v2021-08-07.eng-kor.eng", "tatoeba-v2021-08-07.eng-kor.kor"),
    ("tatoeba", "ko", "en", "tatoeba-v2021-08-07.eng-kor.kor", "tatoeba-v2021-08-07.eng-kor.eng"),
    ("tatoeba", "en", "de", "tatoeba-v2021-08-07.deu-eng.eng", "tatoeba-v2021-08-07.deu-eng.deu"),
    ("tatoeba", "de", "en", "tatoeba-v2021-08-07.deu-eng.deu", "tatoeba-v2021-08-07.deu-eng.eng"),
]


def translate(cli: Path, package: Path, src: str, tgt: str, lines: list[str], beam: int) -> tuple[list[str], float]:
    t0 = time.time()
    res = subprocess.run(["node", str(cli), "translate", "--from", src, "--to", tgt, "--beam", str(beam), "--model", str(package)],
                         input="\n".join(l.replace("\n", " ") for l in lines) + "\n", capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"the engine failed on {src}->{tgt}: {res.stderr.strip()}")
    hyps = res.stdout.split("\n")[: len(lines)]
    if len(hyps) != len(lines):
        raise SystemExit(f"the engine returned {len(hyps)} lines for {len(lines)} inputs ({src}->{tgt})")
    return hyps, time.time() - t0


def score(hyps: list[str], refs: list[str], tgt: str) -> dict:
    """sacrebleu's corpus BLEU (13a) and chrF2, plus char-level BLEU for Korean, with their signatures."""
    bleu, chrf = sacrebleu.BLEU(tokenize="13a"), sacrebleu.CHRF()
    s = {"bleu": round(bleu.corpus_score(hyps, [refs]).score, 2), "chrf": round(chrf.corpus_score(hyps, [refs]).score, 2),
         "sentences": len(refs), "signatures": {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())}}
    if tgt == "ko":
        bc = sacrebleu.BLEU(tokenize="char")
        s["bleuChar"] = round(bc.corpus_score(hyps, [refs]).score, 2)
        s["signatures"]["bleuChar"] = str(bc.get_signature())
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", required=True)
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N segments of each set")
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--sets", default="flores200-devtest,newstest2014,tatoeba")
    ap.add_argument("--jobs", type=int, default=2, help="engine processes run at once")
    ap.add_argument("--cli", default="dist/cli.js")
    ap.add_argument("--resume", action="store_true",
                    help="skip the sets the manifest already has scores for, made the same way (limit, beam)")
    args = ap.parse_args(argv)
    package, cli = Path(args.package), Path(args.cli)
    if not cli.exists():
        raise SystemExit(f"{cli} is missing: run `npm run build` first")
    eval_dir = Path(args.corpora) / "eval"
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    out_dir = Path("build/eval") / manifest["id"]
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(args.sets.split(","))
    how = {"engine": "TypeScript engine, onnxruntime-web WASM in Node", "beam": args.beam, "limit": args.limit,
           "metrics": f"sacrebleu {sacrebleu.__version__}: BLEU 13a (char-level BLEU too for Korean targets) and chrF2"}

    def done_before(job) -> bool:
        name, s, t = job[:3]
        old = manifest.get("scores", {}).get(name, {}).get(f"{s}-{t}")
        return bool(old) and old.get("beam") == args.beam and old.get("limit", "absent") == args.limit

    jobs = [j for j in EVAL_SETS if j[0] in wanted and not (args.resume and done_before(j))]
    # Longest first: with several jobs at once, the big Tatoeba sets do not end up running alone at the end.
    size = {j: len(read_segments(eval_dir / j[3])) for j in jobs}
    jobs.sort(key=lambda j: -min(size[j], args.limit or size[j]))
    lock = threading.Lock()

    def run(job):
        name, s, t, src_file, ref_file = job
        srcs, refs = read_segments(eval_dir / src_file), read_segments(eval_dir / ref_file)
        assert len(srcs) == len(refs), f"{src_file} and {ref_file} differ in length"
        if args.limit:
            srcs, refs = srcs[: args.limit], refs[: args.limit]
        hyps, seconds = translate(cli, package, s, t, srcs, args.beam)
        (out_dir / f"{name}.{s}-{t}.hyp").write_text("\n".join(hyps) + "\n", encoding="utf-8")
        result = {**score(hyps, refs, t), "seconds": round(seconds, 1), "beam": args.beam, "limit": args.limit}
        # Each set goes into the manifest as it finishes: an evaluation cut short (the session's end) keeps what
        # it scored, and --resume goes on from there.
        with lock:
            manifest.setdefault("scores", {}).setdefault(name, {})[f"{s}-{t}"] = result
            manifest["scores"]["_how"] = how
            write_manifest(package, manifest)
        return name, f"{s}-{t}", result

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, direction, s in pool.map(run, jobs):
            print(f"{name:18} {direction}  BLEU {s['bleu']:6.2f}  chrF {s['chrf']:6.2f}"
                  + (f"  charBLEU {s['bleuChar']:6.2f}" if "bleuChar" in s else "") + f"  ({s['sentences']} segments, {s['seconds']} s)", flush=True)
    scores = {k: v for k, v in manifest.get("scores", {}).items() if k != "_how"}
    (out_dir / "scores.json").write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
