"""Corpus builder: parallel en-ko / en-de pairs for training the translation model.

Run from the repository root:

    .venv/bin/python -m models.training.data --corpora ../shared/corpora --out build/data

Reads the public corpora described in ../shared/corpora/README.md (plus, unless --no-debian, the
LibreOffice help pages and UI catalogs from Debian packages) and writes to --out:

  train.tsv, dev.tsv   corpus \\t lang_a \\t lang_b \\t text_a \\t text_b   (lang_a is always "en")
  spm.txt              text for the SentencePiece tokenizer (train sentences only, English capped)
  stats.json           pairs kept per source and direction, and pairs dropped by each filter

This file holds the build (dev selection, deduplication, source weights, writing); the readers are in
data_sources.py, the cleaning and filters in data_clean.py. Only the standard library is used. Every step is a
single pass; the whole run takes a few minutes.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import sys
import time
from collections import Counter
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from .data_clean import MAX_CHARS, MAX_WORDS, clean_text, collapse_ws, norm_key, pair_filter
from .data_numbers import number_pairs
from .data_sources import (aligned_name, extract_tar, fetch_debian, load_eval_keys, po_files, po_items,
                           read_jsonl_xz, read_lines, read_lo_help, read_lo_ui)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# What stats.json's "version" says; continuation.py builds build/data again when it differs (2: numbers as words;
# 3: those pairs three times each).
DATA_VERSION = 3
# Each number template pair is trained this often per epoch: after 36 minutes with them once (0.3 epoch), "twelve
# hours" came back as "81시간" (it had been "8시간"): the words went to digits, not yet to the right ones.
NUMBERS_REPEAT = 3
DEFAULT_CORPORA = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "corpora"))


class Pair(NamedTuple):
    """One kept pair, as written to train.tsv / dev.tsv: English and the other language (lang) side."""
    corpus: str
    lang: str  # "ko" or "de"
    en: str
    xx: str


# ---------------------------------------------------------------------------------------------
# Builder
# ---------------------------------------------------------------------------------------------

class Builder:
    """Collects the train pairs: cleans and filters each one, drops eval and dev overlaps and duplicates, and counts
    what it kept and dropped per source."""

    def __init__(self, eval_keys: Set[str], max_per_source: Optional[int] = None) -> None:
        self.eval_keys = eval_keys
        self.max_per_source = max_per_source
        self.seen: Set[Tuple[str, str, str]] = set()
        self.pairs: List[Pair] = []
        self.kept: Counter = Counter()  # (corpus, lang) -> n
        self.dropped: Counter = Counter()  # reason -> n
        self.dropped_by_source: Dict[Tuple[str, str], Counter] = {}
        self.protected: Set[str] = set()  # dev-set sides (normalised) kept out of train

    def _drop(self, corpus: str, lang: str, reason: str) -> None:
        self.dropped[reason] += 1
        self.dropped_by_source.setdefault((corpus, lang), Counter())[reason] += 1

    def check(self, corpus: str, lang: str, en_raw: str, xx_raw: str,
              clean: bool = True, record: bool = True) -> Optional[Tuple[str, str]]:
        """Clean and filter one pair; returns the cleaned pair or None. With record (the default)
        the drop reason is counted and the pair is remembered for deduplication."""
        en = clean_text(en_raw) if clean else collapse_ws(en_raw)
        xx = clean_text(xx_raw) if clean else collapse_ws(xx_raw)
        reason = pair_filter(lang, en, xx)
        if reason is None:
            ke, kx = norm_key(en), norm_key(xx)
            if ke in self.eval_keys or kx in self.eval_keys:
                reason = "eval_overlap"
            elif ke in self.protected or kx in self.protected:
                reason = "dev_overlap"
            elif (lang, ke, kx) in self.seen:
                reason = "duplicate"
        if reason is not None:
            if record:
                self._drop(corpus, lang, reason)
            return None
        if record:
            self.seen.add((lang, norm_key(en), norm_key(xx)))
        return en, xx

    def add_source(self, corpus: str, lang: str, items: Iterable[Tuple[str, str]],
                   clean: bool = True, cap: Optional[int] = None, repeat: int = 1) -> None:
        cap = min(x for x in (cap, self.max_per_source) if x is not None) if (
            cap is not None or self.max_per_source is not None) else None
        for en_raw, xx_raw in items:
            if cap is not None and self.kept[(corpus, lang)] >= cap:
                break
            r = self.check(corpus, lang, en_raw, xx_raw, clean)
            if r is None:
                continue
            self.pairs.extend([Pair(corpus, lang, r[0], r[1])] * repeat)
            self.kept[(corpus, lang)] += 1


# General-domain sources (see ../shared/corpora/README.md), weighted against the documentation text that makes up
# most of the data: the small modern everyday/news sets are repeated, the Bible (archaic register) is capped, the
# lexicon's glosses come in once. Values: (cap on distinct pairs or None, times each kept pair is repeated).
SOURCE_WEIGHTS: Dict[str, Tuple[Optional[int], int]] = {
    "tatoeba-manythings-kor": (None, 3),
    "jhe-koen": (None, 3),
    "korean-english-news-park-dev": (None, 2),
    "kengdic-ezcorean-6000": (None, 1),
    "bible-krv1961-kjv": (8000, 1),
    "xquad": (None, 2),
    "wmt-test-2019-2022-en-de": (None, 1),
}
# General-domain Korean dev pairs, so that dev chrF follows everyday text too, not only documentation.
GENERAL_KO_DEV = ("tatoeba-manythings-kor", "jhe-koen")


def _dev_candidates(b: Builder, corpus: str, lang: str, items: Iterable[Tuple[str, str]],
                    n: int, rng: random.Random, min_words: int = 4,
                    max_words: int = 60) -> List[Pair]:
    """Pick n clean sentence-like pairs for dev; their sides are then kept out of train."""
    cands, keys = [], set()
    for en_raw, xx_raw in items:
        r = b.check(corpus, lang, en_raw, xx_raw, record=False)
        if r is None or not (min_words <= len(r[0].split()) <= max_words):
            continue
        ke, kx = norm_key(r[0]), norm_key(r[1])
        if ke in keys or kx in keys:
            continue
        keys.update((ke, kx))
        cands.append(Pair(corpus, lang, r[0], r[1]))
    rng.shuffle(cands)
    chosen = cands[:n]
    for c in chosen:
        b.protected.add(norm_key(c.en))
        b.protected.add(norm_key(c.xx))
    return chosen


def build(corpora: str, out: str, max_per_source: Optional[int] = None, debian: bool = True,
          seed: int = 1, dev_size: int = 500, d2l_mt_max: int = 0, cache: Optional[str] = None,
          spm_en_factor: float = 1.0) -> dict:
    """Reads every source, picks the dev pairs first, writes train.tsv, dev.tsv, spm.txt and stats.json into out,
    prints the table of pairs kept per source and returns the stats. Deterministic for a given seed."""
    t0 = time.time()
    rng = random.Random(seed)
    cache = cache or os.path.join(REPO_ROOT, "build")
    raw_cache = os.path.join(cache, "raw")
    os.makedirs(out, exist_ok=True)
    rawdir, aligned = os.path.join(corpora, "raw"), os.path.join(corpora, "aligned")

    eval_keys = load_eval_keys(os.path.join(corpora, "eval"))
    print(f"eval lines (normalised): {len(eval_keys)}", flush=True)
    b = Builder(eval_keys, max_per_source)

    # -- extract what we read from raw/
    pydocs = extract_tar(os.path.join(rawdir, "python-docs-ko.tar.xz"), raw_cache)
    django = extract_tar(os.path.join(rawdir, "django-docs-ko.tar.xz"), raw_cache)
    m30k = extract_tar(os.path.join(rawdir, "multi30k.tar.xz"), raw_cache)
    wmt = extract_tar(os.path.join(rawdir, "wmt-newstest-2008-2018-en-de.tar.xz"), raw_cache)

    # -- dev sets first, so that their sentences are reserved before train sources are read
    pydocs_items = list(po_items(po_files(pydocs)))  # parsed once, used for dev and train
    django_items = list(po_items(po_files(django)))
    dev: List[Pair] = []
    files = sorted(glob.glob(os.path.join(aligned, "*.jsonl.xz")))
    n_general = dev_size // 5   # per general-domain source
    n_ko_py = (dev_size - n_general * len(GENERAL_KO_DEV)) * 2 // 3
    dev += _dev_candidates(b, "python-docs-ko", "ko", pydocs_items, n_ko_py, rng)
    dev += _dev_candidates(b, "django-docs-ko", "ko", django_items,
                           dev_size - n_ko_py - n_general * len(GENERAL_KO_DEV), rng)
    for path in files:
        corpus, lang, _ = aligned_name(path)
        if corpus in GENERAL_KO_DEV:
            dev += _dev_candidates(b, corpus, lang, ((o["en"], o[lang]) for o in read_jsonl_xz(path)),
                                   n_general, rng, min_words=3)
    nt13 = list(zip(read_lines(os.path.join(wmt, "newstest2013.en")),
                    read_lines(os.path.join(wmt, "newstest2013.de"))))
    dev += _dev_candidates(b, "newstest2013", "de", nt13, dev_size, rng, min_words=1,
                           max_words=MAX_WORDS)
    print(f"dev: {len(dev)} pairs ({time.time() - t0:.1f}s)", flush=True)

    # -- en-ko: gettext catalogs (exact alignment, human translation)
    b.add_source("python-docs-ko", "ko", pydocs_items)
    b.add_source("django-docs-ko", "ko", django_items)
    print(f"po files done ({time.time() - t0:.1f}s)", flush=True)

    # -- aligned markdown sources: sentence pairs first, then short paragraph pairs
    for kind in ("sent_pairs", "dict_pairs", "dp_pairs"):
        for path in files:
            corpus, lang, k = aligned_name(path)
            if k != kind or corpus.startswith("django"):
                continue
            cap, repeat = SOURCE_WEIGHTS.get(corpus, (None, 1))
            if corpus == "d2l-ko-MT":
                if d2l_mt_max <= 0:
                    continue
                cap = d2l_mt_max  # raw MT with term errors: at most a small slice
            def items(path=path, lang=lang):
                for o in read_jsonl_xz(path):
                    en, xx = o.get("en", ""), o.get(lang, "")
                    if len(en) <= MAX_CHARS and len(xx) <= MAX_CHARS:
                        yield en, xx
            b.add_source(corpus, lang, items(), cap=cap, repeat=repeat)
    print(f"aligned done ({time.time() - t0:.1f}s)", flush=True)

    # -- en-de: multi30k train+val, WMT newstest except 2013 (dev) and 2014 (eval)
    for split in ("train", "val"):
        b.add_source("multi30k", "de",
                     zip(read_lines(os.path.join(m30k, f"{split}.en")),
                         read_lines(os.path.join(m30k, f"{split}.de"))), clean=False)
    for en_path in sorted(glob.glob(os.path.join(wmt, "*.en"))):
        name = os.path.basename(en_path)[:-3]
        if "2013" in name or "2014" in name:
            continue
        b.add_source("wmt-newstest", "de",
                     zip(read_lines(en_path), read_lines(en_path[:-3] + ".de")), clean=False)
    print(f"en-de text done ({time.time() - t0:.1f}s)", flush=True)

    # -- LibreOffice help pages and UI catalogs
    if debian:
        root = fetch_debian(cache)
        if root:
            for lang in ("ko", "de"):
                b.add_source("libreoffice-help", lang,
                             ((e, x) for e, x, _ in read_lo_help(root, lang)))
                b.add_source("libreoffice-ui", lang, ((e, x) for e, x, _ in read_lo_ui(root, lang)))
            print(f"libreoffice done ({time.time() - t0:.1f}s)", flush=True)

    # -- write
    train = b.pairs
    rng.shuffle(train)
    rng.shuffle(dev)
    # Numbers written as words (data_numbers.py), added after the shuffles at places of their own generator's choosing:
    # dev.tsv, and the order of every other train pair, stay as they were before these pairs existed.
    before = len(train)
    for lang in ("ko", "de"):
        b.add_source("numbers-synthetic", lang, number_pairs(lang, seed), repeat=NUMBERS_REPEAT)
    extra = train[before:]
    del train[before:]
    place = random.Random(seed + 1)
    place.shuffle(extra)
    train = interleave(train, extra, place)
    write_tsv(os.path.join(out, "train.tsv"), train)
    write_tsv(os.path.join(out, "dev.tsv"), dev)
    spm_counts = write_spm(os.path.join(out, "spm.txt"), train, rng, spm_en_factor)

    stats = {
        "version": DATA_VERSION,
        "seconds": round(time.time() - t0, 1),
        "train_pairs": len(train),
        "dev_pairs": len(dev),
        "kept": {f"{c}\ten-{l}": n for (c, l), n in sorted(b.kept.items())},
        "kept_by_direction": {f"en-{l}": sum(n for (c, ll), n in b.kept.items() if ll == l)
                              for l in ("ko", "de")},
        "dev": dict(Counter(f"{c}\ten-{l}" for c, l, _, _ in dev)),
        "dropped": dict(b.dropped.most_common()),
        "dropped_by_source": {f"{c}\ten-{l}": dict(v.most_common())
                              for (c, l), v in sorted(b.dropped_by_source.items())},
        "spm_lines": spm_counts,
        "options": {"max_per_source": max_per_source, "debian": debian, "seed": seed,
                    "dev_size": dev_size, "d2l_mt_max": d2l_mt_max},
    }
    with open(os.path.join(out, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, ensure_ascii=False, indent=1)
    print_table(b, dev, stats)
    return stats


def interleave(pairs: List[Pair], extra: List[Pair], rng: random.Random) -> List[Pair]:
    """`pairs` in their order with each of `extra` (in its order) at a place drawn by `rng`."""
    places = sorted(rng.randrange(len(pairs) + 1) for _ in extra)
    out: List[Pair] = []
    at = 0
    for place, pair in zip(places, extra):
        out.extend(pairs[at:place])
        out.append(pair)
        at = place
    out.extend(pairs[at:])
    return out


def tsv_field(s: str) -> str:
    """One TSV cell: tabs and line breaks become spaces, whitespace collapsed."""
    return collapse_ws(s.replace("\t", " ").replace("\n", " ").replace("\r", " "))


def write_tsv(path: str, pairs: List[Pair]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for corpus, lang, en, xx in pairs:
            f.write(f"{corpus}\ten\t{lang}\t{tsv_field(en)}\t{tsv_field(xx)}\n")


def write_spm(path: str, train: List[Pair], rng: random.Random, en_factor: float) -> dict:
    """Every kept train sentence (deduplicated) per language; English is sampled down to
    en_factor x the larger of the Korean and German counts so that it does not dominate."""
    by_lang: Dict[str, Dict[str, None]] = {"en": {}, "ko": {}, "de": {}}
    for _, lang, en, xx in train:
        by_lang["en"].setdefault(tsv_field(en))
        by_lang[lang].setdefault(tsv_field(xx))
    lines = {k: list(v) for k, v in by_lang.items()}
    cap = int(en_factor * max(len(lines["ko"]), len(lines["de"])))
    if len(lines["en"]) > cap:
        lines["en"] = rng.sample(lines["en"], cap)
    allx = lines["ko"] + lines["de"] + lines["en"]
    rng.shuffle(allx)
    with open(path, "w", encoding="utf-8") as f:
        for l in allx:
            f.write(l + "\n")
    return {k: len(v) for k, v in lines.items()}


def print_table(b: Builder, dev: List[Pair], stats: dict) -> None:
    print()
    print("Pairs kept per source (train). Training uses every en-ko and en-de pair in BOTH "
          "directions (en->xx and xx->en).")
    print(f"{'source':<24}{'pair':<8}{'kept':>9}  dropped (by filter)")
    for lang in ("ko", "de"):
        for (c, l), n in sorted(b.kept.items()):
            if l != lang:
                continue
            d = b.dropped_by_source.get((c, l), Counter())
            ds = ", ".join(f"{k} {v}" for k, v in d.most_common())
            print(f"{c:<24}{'en-' + l:<8}{n:>9}  {ds}")
        tot = sum(n for (c, l), n in b.kept.items() if l == lang)
        print(f"{'TOTAL':<24}{'en-' + lang:<8}{tot:>9}")
    print(f"dev: " + ", ".join(f"{k.replace(chr(9), ' ')} {v}" for k, v in stats["dev"].items()))
    print("dropped by filter (all sources): "
          + ", ".join(f"{k} {v}" for k, v in b.dropped.most_common()))
    print(f"spm.txt lines: {stats['spm_lines']}")
    print(f"train pairs: {stats['train_pairs']}, time {stats['seconds']}s")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default=DEFAULT_CORPORA)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "build", "data"))
    ap.add_argument("--max-per-source", type=int, default=None)
    ap.add_argument("--no-debian", action="store_true", help="skip the LibreOffice packages")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dev-size", type=int, default=500, help="dev pairs per direction")
    ap.add_argument("--d2l-mt-max", type=int, default=0,
                    help="pairs from the machine-translated d2l-ko (default 0: dropped)")
    ap.add_argument("--cache", default=None, help="where raw/, debs/, lo/ go (default build/)")
    ap.add_argument("--spm-en-factor", type=float, default=1.0,
                    help="English lines in spm.txt, as a multiple of the larger of Korean and German")
    args = ap.parse_args(argv)
    build(args.corpora, args.out, args.max_per_source, not args.no_debian, args.seed,
          args.dev_size, args.d2l_mt_max, args.cache, args.spm_en_factor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
