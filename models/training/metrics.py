"""Corpus BLEU and chrF/chrF++ in pure Python, reproducing sacrebleu 2.x scores (no sacrebleu needed)."""
from __future__ import annotations

# Follows sacrebleu 2.x (github.com/mjpost/sacrebleu) line by line:
#   sacrebleu/metrics/bleu.py       BLEU.compute_bleu, _extract_reference_info, _compute_segment_statistics
#   sacrebleu/metrics/chrf.py       CHRF._compute_f_score, _remove_punctuation, _compute_segment_statistics
#   sacrebleu/metrics/helpers.py    n-gram extraction
#   sacrebleu/metrics/base.py       corpus loop, empty-reference handling
#   sacrebleu/tokenizers/tokenizer_13a.py, tokenizer_re.py, tokenizer_char.py, tokenizer_none.py
#   sacrebleu/utils.py              my_log
# Only tokenizers '13a', 'char' and 'none' exist here; 'intl', 'zh', 'ja-mecab', 'spm' are refused
# rather than approximated, so a number printed here always means what sacrebleu would print.

import argparse
import json
import math
import re
import sys
from collections import Counter
from typing import Optional, Sequence, Union

MAX_NGRAM_ORDER = 4

# Default smoothing values per method, as BLEU.SMOOTH_DEFAULTS (Chen & Cherry, WMT 2014).
SMOOTH_DEFAULTS: dict[str, Optional[float]] = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}

# chrF defaults, as CHRF.CHAR_ORDER / WORD_ORDER / BETA.
CHAR_ORDER = 6
WORD_ORDER = 0
BETA = 2

# string.punctuation, spelled out as sacrebleu's CHRF._PUNCTS does.
_PUNCTS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

# tokenizer_re.TokenizerRegexp: the language-dependent part of mteval-v13a, applied in this order.
_13A_RULES = [
    # split off ASCII symbols: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
    # (not the apostrophe, nor '-', '.', ',': those are left to the rules below or kept in words)
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    # tokenize period and comma unless preceded by a digit
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    # tokenize period and comma unless followed by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    # tokenize dash when preceded by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]

Refs = Union[Sequence[str], Sequence[Sequence[Optional[str]]]]


# --------------------------------------------------------------------------- tokenizers

def tokenize_13a(line: str) -> str:
    """mteval-v13a tokenization (sacrebleu Tokenizer13a + TokenizerRegexp)."""
    # language-independent part
    line = line.replace("<skipped>", "")
    line = line.replace("-\n", "")
    line = line.replace("\n", " ")
    if "&" in line:
        # Order matters: '&amp;lt;' becomes '<', exactly as in sacrebleu.
        line = line.replace("&quot;", '"')
        line = line.replace("&amp;", "&")
        line = line.replace("&lt;", "<")
        line = line.replace("&gt;", ">")
    line = f" {line} "
    for pattern, repl in _13A_RULES:
        line = pattern.sub(repl, line)
    # no leading or trailing spaces, single space within words
    return " ".join(line.split())


def tokenize_char(line: str) -> str:
    """Every character becomes a token (TokenizerChar); whitespace vanishes at the later split()."""
    return " ".join(char for char in line)


def tokenize_none(line: str) -> str:
    return line


TOKENIZERS = {"13a": tokenize_13a, "char": tokenize_char, "none": tokenize_none}


# --------------------------------------------------------------------------- shared input handling

def _reference_streams(hyps: Sequence[str], refs: Refs) -> list[list[Optional[str]]]:
    """Accepts one reference per segment (list[str]) or sacrebleu's list of reference streams.

    Returns streams: streams[k][i] is the k-th reference of segment i.
    """
    if isinstance(hyps, str) or not isinstance(hyps, Sequence):
        raise TypeError("`hyps` should be a sequence of strings.")
    if isinstance(refs, str) or not isinstance(refs, Sequence):
        raise TypeError("`refs` should be a sequence of strings (or of reference streams).")
    if len(hyps) == 0:
        # sacrebleu refuses an empty corpus as well; a score of nothing would be meaningless.
        raise ValueError("`hyps` should not be empty.")
    if any(not isinstance(h, str) for h in hyps):
        raise TypeError("Each element of `hyps` should be a string.")
    if len(refs) > 0 and all(isinstance(r, str) for r in refs):
        streams = [list(refs)]
    elif len(refs) > 0 and all(isinstance(r, Sequence) and not isinstance(r, str) for r in refs):
        streams = [list(stream) for stream in refs]
    else:
        raise TypeError("`refs` should be a list of strings or a list of reference streams.")
    for stream in streams:
        if len(stream) != len(hyps):
            raise ValueError(
                f"System and reference streams have different lengths ({len(hyps)} vs {len(stream)}).")
    return streams


def _segment_refs(streams: list[list[Optional[str]]], i: int) -> list[str]:
    # base.Metric._cache_references: None or '' means "no reference here" (variable number of refs),
    # and a segment left with none is an error rather than a silent zero.
    lines = [stream[i] for stream in streams if stream[i] is not None and stream[i] != ""]
    if not lines:
        raise ValueError(f"Empty or `None` reference sentence found (segment {i}).")
    return lines


# --------------------------------------------------------------------------- BLEU

def _my_log(num: float) -> float:
    """utils.my_log: log floored to a very low number, so a zero precision gives a score of ~0."""
    if num == 0.0:
        return -9999999999
    return math.log(num)


def _extract_all_word_ngrams(line: str, min_order: int, max_order: int) -> tuple[Counter, int]:
    tokens = line.split()
    ngrams = []
    for n in range(min_order, max_order + 1):
        for i in range(0, len(tokens) - n + 1):
            ngrams.append(tuple(tokens[i: i + n]))
    return Counter(ngrams), len(tokens)


def _closest_ref_len(hyp_len: int, ref_lens: list[int]) -> int:
    # On a tie the shorter reference wins (BLEU._get_closest_ref_len).
    closest_diff, closest_len = -1, -1
    for ref_len in ref_lens:
        diff = abs(hyp_len - ref_len)
        if closest_diff == -1 or diff < closest_diff:
            closest_diff = diff
            closest_len = ref_len
        elif diff == closest_diff and ref_len < closest_len:
            closest_len = ref_len
    return closest_len


def compute_bleu(correct: list, total: list, sys_len: int, ref_len: int,
                 smooth_method: str = "none", smooth_value: Optional[float] = None,
                 effective_order: bool = False, max_ngram_order: int = MAX_NGRAM_ORDER) -> dict:
    """BLEU from sufficient statistics (BLEU.compute_bleu). Note its default smoothing is 'none', as there."""
    if smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(f"Unknown smooth_method {smooth_method!r}")
    # Copies, so the caller's lists survive add-k (sacrebleu itself mutates them in place).
    correct, total = list(correct), list(total)

    # None means "the method's default"; an explicit 0.0 is kept as 0.0.
    if smooth_value is None:
        smooth_value = SMOOTH_DEFAULTS[smooth_method]

    # Brevity penalty
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    else:
        bp = 1.0

    precisions = [0.0 for _ in range(max_ngram_order)]

    def result(score: float) -> dict:
        return dict(score=score, precisions=precisions, bp=bp, sys_len=sys_len, ref_len=ref_len,
                    counts=correct, totals=total)

    # Early stop if there are no matches at all (sacrebleu #141): 0, whatever the smoothing.
    if not any(correct):
        return result(0.0)

    smooth_mteval = 1.0
    eff_order = max_ngram_order
    for n in range(1, len(precisions) + 1):
        if smooth_method == "add-k" and n > 1:
            correct[n - 1] += smooth_value
            total[n - 1] += smooth_value

        # No hypothesis n-grams of this order: stop; without effective order the
        # remaining zero precisions pull the score to ~0, as in sacrebleu.
        if total[n - 1] == 0:
            break

        if effective_order:
            eff_order = n

        if correct[n - 1] == 0:
            if smooth_method == "exp":
                # NIST / mteval-v13a smoothing: 1/2, 1/4, ... of a match for each zero order
                smooth_mteval *= 2
                precisions[n - 1] = 100.0 / (smooth_mteval * total[n - 1])
            elif smooth_method == "floor":
                precisions[n - 1] = 100.0 * smooth_value / total[n - 1]
        else:
            precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]

    score = bp * math.exp(sum(_my_log(p) for p in precisions[:eff_order]) / eff_order)
    return result(score)


def corpus_bleu(hyps: Sequence[str], refs: Refs, tokenize: str = "13a", *,
                lowercase: bool = False, smooth_method: str = "exp",
                smooth_value: Optional[float] = None, effective_order: bool = False,
                max_ngram_order: int = MAX_NGRAM_ORDER) -> dict:
    """Corpus BLEU as sacrebleu.corpus_bleu / BLEU().corpus_score with the same defaults.

    refs: one reference string per hypothesis, or a list of reference streams (sacrebleu's layout).
    Returns dict(score, precisions, bp, sys_len, ref_len, counts, totals); score and precisions in 0..100.
    """
    if tokenize not in TOKENIZERS:
        raise ValueError(f"Unsupported tokenizer {tokenize!r}; supported: {sorted(TOKENIZERS)}")
    tokenizer = TOKENIZERS[tokenize]
    streams = _reference_streams(hyps, refs)

    def preprocess(sent: str) -> str:
        # BLEU._preprocess_segment: optional lowercasing, then tokenize the right-stripped line.
        if lowercase:
            sent = sent.lower()
        return tokenizer(sent.rstrip())

    stats = [0] * (2 + 2 * max_ngram_order)
    for i, hyp in enumerate(hyps):
        # Reference n-grams: per n-gram, the maximum count over the references.
        ref_ngrams: Optional[Counter] = None
        ref_lens = []
        for ref in _segment_refs(streams, i):
            this_ngrams, ref_len = _extract_all_word_ngrams(preprocess(ref), 1, max_ngram_order)
            ref_lens.append(ref_len)
            if ref_ngrams is None:
                ref_ngrams = this_ngrams
            else:
                for ngram, count in this_ngrams.items():
                    ref_ngrams[ngram] = max(ref_ngrams[ngram], count)

        hyp_ngrams, hyp_len = _extract_all_word_ngrams(preprocess(hyp), 1, max_ngram_order)
        ref_len = _closest_ref_len(hyp_len, ref_lens)

        correct = [0] * max_ngram_order
        total = [0] * max_ngram_order
        for ngram, count in hyp_ngrams.items():
            n = len(ngram) - 1
            total[n] += count
            if ngram in ref_ngrams:
                correct[n] += min(count, ref_ngrams[ngram])

        for j, value in enumerate([hyp_len, ref_len] + correct + total):
            stats[j] += value

    return compute_bleu(
        correct=stats[2: 2 + max_ngram_order], total=stats[2 + max_ngram_order:],
        sys_len=int(stats[0]), ref_len=int(stats[1]),
        smooth_method=smooth_method, smooth_value=smooth_value,
        effective_order=effective_order, max_ngram_order=max_ngram_order)


# --------------------------------------------------------------------------- chrF / chrF++

def _extract_all_char_ngrams(line: str, max_order: int, include_whitespace: bool = False) -> list[Counter]:
    if not include_whitespace:
        line = "".join(line.split())
    return [Counter(line[i: i + n] for i in range(len(line) - n + 1)) for n in range(1, max_order + 1)]


def _extract_word_ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(" ".join(tokens[i: i + n]) for i in range(len(tokens) - n + 1))


def _remove_punctuation(sent: str) -> list[str]:
    """chrF++ word split: one punctuation mark is split off the end, else off the start, of each word.

    Mirrors sacrebleu (adapted from m-popovic/chrF), including its quirk that '(hi)' -> '(hi', ')' (#124).
    """
    tokenized = []
    for w in sent.split():
        if len(w) == 1:
            tokenized.append(w)
        elif w[-1] in _PUNCTS:
            tokenized += [w[:-1], w[-1]]
        elif w[0] in _PUNCTS:
            tokenized += [w[0], w[1:]]
        else:
            tokenized.append(w)
    return tokenized


def _match_statistics(hyp_ngrams: Counter, ref_ngrams: Counter) -> list[int]:
    match_count, hyp_count = 0, 0
    for ng, count in hyp_ngrams.items():
        hyp_count += count
        if ng in ref_ngrams:
            match_count += min(count, ref_ngrams[ng])
    # Hypothesis n-grams are not counted when the reference has none of that order (sacrebleu).
    return [hyp_count if ref_ngrams else 0, sum(ref_ngrams.values()), match_count]


def _chrf_f_score(statistics: list, order: int, beta: float, eps_smoothing: bool) -> float:
    """CHRF._compute_f_score: both the eps-smoothed (chrF++.py) and the effective-order average."""
    eps = 1e-16
    score = 0.0
    effective_order = 0
    factor = beta ** 2
    avg_prec, avg_rec = 0.0, 0.0

    for i in range(order):
        n_hyp, n_ref, n_match = statistics[3 * i: 3 * i + 3]

        # chrF++.py style EPS smoothing (also used by Moses and NLTK)
        prec = n_match / n_hyp if n_hyp > 0 else eps
        rec = n_match / n_ref if n_ref > 0 else eps

        denom = factor * prec + rec
        score += ((1 + factor) * prec * rec / denom) if denom > 0 else eps

        # sacreBLEU <2.0.0 style effective order smoothing
        if n_hyp > 0 and n_ref > 0:
            avg_prec += prec
            avg_rec += rec
            effective_order += 1

    if eps_smoothing:
        return 100 * score / order

    if effective_order == 0:
        avg_prec = avg_rec = 0.0
    else:
        avg_prec /= effective_order
        avg_rec /= effective_order

    if avg_prec + avg_rec:
        score = (1 + factor) * avg_prec * avg_rec
        score /= (factor * avg_prec) + avg_rec
        return 100 * score
    return 0.0


def corpus_chrf(hyps: Sequence[str], refs: Refs, word_order: int = WORD_ORDER, *,
                char_order: int = CHAR_ORDER, beta: float = BETA, lowercase: bool = False,
                whitespace: bool = False, eps_smoothing: bool = False) -> dict:
    """Corpus chrF (word_order=0) or chrF++ (word_order=2) as sacrebleu's CHRF().corpus_score.

    Defaults are sacrebleu 2.x's CHRF defaults, eps_smoothing=False included: sacrebleu 2.x keeps the
    effective-order average by default and only applies chrF++.py's epsilon smoothing when asked.
    whitespace=False removes all whitespace before extracting character n-grams.
    Returns dict(score, char_order, word_order, beta) with score in 0..100.
    """
    streams = _reference_streams(hyps, refs)
    order = char_order + word_order

    def ngrams(sent: str) -> list[Counter]:
        counters = _extract_all_char_ngrams(sent, char_order, whitespace)
        if word_order > 0:
            words = _remove_punctuation(sent)
            counters.extend(_extract_word_ngrams(words, n) for n in range(1, word_order + 1))
        return counters

    corpus_stats = [0] * (3 * order)
    for i, hyp in enumerate(hyps):
        # CHRF._preprocess_segment only lowercases; whitespace is handled at n-gram extraction.
        if lowercase:
            hyp = hyp.lower()
        hyp_ngrams = ngrams(hyp)

        # With several references, the one giving the best segment F-score supplies the statistics.
        best_stats: list[int] = []
        best_f_score = -1.0
        for ref in _segment_refs(streams, i):
            ref_ngrams = ngrams(ref.lower() if lowercase else ref)
            stats = []
            for h, r in zip(hyp_ngrams, ref_ngrams):
                stats.extend(_match_statistics(h, r))
            f_score = _chrf_f_score(stats, order, beta, eps_smoothing)
            if f_score > best_f_score:
                best_f_score = f_score
                best_stats = stats

        for j, value in enumerate(best_stats):
            corpus_stats[j] += value

    return dict(score=_chrf_f_score(corpus_stats, order, beta, eps_smoothing),
                char_order=char_order, word_order=word_order, beta=beta)


# --------------------------------------------------------------------------- CLI

def _read_lines(path: str) -> list[str]:
    # newline="\n" as sacrebleu's smart_open: only '\n' ends a line, so a stray '\r' or U+2028
    # inside a segment cannot shift the alignment between hypothesis and reference files.
    with open(path, encoding="utf-8", newline="\n") as f:
        return [line.rstrip("\n") for line in f]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m models.training.metrics",
        description="Corpus BLEU and chrF as sacrebleu computes them; one segment per line.")
    parser.add_argument("--hyp", required=True, help="hypothesis file")
    parser.add_argument("--ref", required=True, nargs="+", help="reference file(s), aligned with --hyp")
    parser.add_argument("--tokenize", default="13a", choices=sorted(TOKENIZERS),
                        help="BLEU tokenizer (default 13a; 'char' for Korean and other unsegmented targets)")
    parser.add_argument("--chrf-word-order", type=int, default=WORD_ORDER,
                        help="0 for chrF (default), 2 for chrF++")
    args = parser.parse_args(argv)

    hyps = _read_lines(args.hyp)
    streams = [_read_lines(path) for path in args.ref]
    try:
        bleu = corpus_bleu(hyps, streams, tokenize=args.tokenize)
        chrf = corpus_chrf(hyps, streams, word_order=args.chrf_word_order)
    except (ValueError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"bleu": dict(bleu, tokenize=args.tokenize), "chrf": chrf}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
