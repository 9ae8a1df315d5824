"""Checks models/training/metrics.py against the scores sacrebleu's own tests and docs assert."""
from __future__ import annotations

# Where each expected number comes from is written above its case. Unless a case says
# "hand-derived", the number is one that sacrebleu (github.com/mjpost/sacrebleu) asserts in its test
# suite or prints in its README, or that HuggingFace evaluate's doctests print from sacrebleu.
# Tolerances are the source test's own (EPSILON), else half a unit of the last printed digit.

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

from models.training.metrics import compute_bleu, corpus_bleu, corpus_chrf, tokenize_13a

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

# sacrebleu test/test_bleu.py and README.md: the README example, two reference streams.
_REFS = [
    ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
    ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]
_HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]


def raw_corpus_bleu(hyps, refs, smooth_value=0.1):
    """sacrebleu.compat.raw_corpus_bleu: no tokenization, floor smoothing, effective order."""
    return corpus_bleu(hyps, refs, tokenize="none", smooth_method="floor",
                       smooth_value=smooth_value, effective_order=True)


class TestBleuSacrebleuSuite(unittest.TestCase):
    """Cases from sacrebleu test/test_bleu.py (EPSILON = 1e-8)."""

    EPS = 1e-8

    def test_corpus_bleu_cases(self):
        # test_bleu.py test_corpus_bleu_cases ('intl' is left out: that tokenizer is not implemented)
        cases = [
            (_HYPS, _REFS, {}, 48.530827),                       # default BLEU settings
            (["", "", ""], _REFS, {}, 0.0),                      # empty hypotheses are not removed
            (_HYPS, _REFS, {"tokenize": "none"}, 49.1919566),
            (_HYPS, _REFS, {"tokenize": "13a"}, 48.530827),
            (_HYPS, _REFS, {"smooth_method": "none"}, 48.530827),
        ]
        for hyps, refs, kwargs, expected in cases:
            with self.subTest(hyps=hyps, kwargs=kwargs):
                self.assertLess(abs(corpus_bleu(hyps, refs, **kwargs)["score"] - expected), self.EPS)

    def test_raw_bleu(self):
        # test_bleu.py test_raw_bleu_cases: raw_corpus_bleu(..., .01).score / 100
        cases = [
            (["this is a test", "another test"], [["ref1", "ref2"]], 0.0),   # no match at all (#141)
            (["this is a test"], [["this is a test"]], 1.0),                 # perfect match
            (["this is a fest"], [["this is a test"]], 0.223606797749979),
        ]
        for hyps, refs, expected in cases:
            with self.subTest(hyps=hyps):
                self.assertLess(abs(raw_corpus_bleu(hyps, refs, 0.01)["score"] / 100 - expected), self.EPS)

    def test_effective_order(self):
        # test_bleu.py test_case_effective_order; "test" vs "a test" is pure brevity penalty: exp(1 - 2/1)
        cases = [
            (["test"], [["a test"]], 0.3678794411714425),
            (["a test"], [["a test"]], 1.0),
            (["a little test"], [["a test"]], 0.03218297948685433),
        ]
        for hyps, refs, expected in cases:
            with self.subTest(hyps=hyps):
                self.assertLess(abs(raw_corpus_bleu(hyps, refs, 0.01)["score"] / 100 - expected), self.EPS)

    def test_statistics(self):
        # test_bleu.py test_case_statistics
        result = raw_corpus_bleu(["am I am a character sequence"], [["I am a symbol string sequence a a"]], 0.01)
        self.assertEqual(result["counts"], [4, 2, 1, 0])
        self.assertEqual(result["totals"], [6, 5, 4, 3])

    def test_scoring(self):
        # test_bleu.py test_case_scoring: BLEU.compute_bleu with its default smoothing ('none')
        score = compute_bleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11)["score"] / 100
        self.assertLess(abs(score - 0.8375922397), self.EPS)

    def test_offset(self):
        # test_bleu.py test_case_offset: an explicit 0.0 floor is kept, None means the 0.1 default
        hyps, refs = ["am I am a character sequence"], [["I am a symbol string sequence a a"]]
        self.assertLess(abs(raw_corpus_bleu(hyps, refs, 0.0)["score"] / 100 - 0), self.EPS)
        self.assertLess(abs(raw_corpus_bleu(hyps, refs, None)["score"] / 100 - 0.1555722182), self.EPS)
        self.assertLess(abs(raw_corpus_bleu(hyps, refs)["score"] / 100 - 0.1555722182), self.EPS)

    def test_degenerate_statistics(self):
        # test_bleu.py test_case_degenerate_stats: (common, total, sys_len, ref_len), floor value; exact 0.0
        cases = [
            ([0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0),
            ([0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0),
            ([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0),
            ([6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0),
            ([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1),
            ([0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01),
        ]
        for common, total, sys_len, ref_len, offset in cases:
            with self.subTest(common=common, total=total, offset=offset):
                score = compute_bleu(common, total, sys_len, ref_len,
                                     smooth_method="floor", smooth_value=offset)["score"] / 100
                self.assertEqual(score, 0.0)

    def test_max_ngram_order(self):
        # test_bleu.py test_bleu_max_order: compared as strings with 2 decimals
        for order, expected in [(1, "77.65"), (2, "60.50"), (3, "53.93"), (4, "48.53"), (5, "46.14"), (6, "43.28")]:
            with self.subTest(order=order):
                self.assertEqual(f"{corpus_bleu(_HYPS, _REFS, max_ngram_order=order)['score']:.2f}", expected)


class TestBleuSentenceSuite(unittest.TestCase):
    """Cases from sacrebleu test/test_sentence_bleu.py (EPSILON = 1e-3): one segment, effective order on."""

    EPS = 1e-3
    # Example from sacrebleu issue #98
    REF = "producţia de zahăr brut se exprimă în zahăr alb;"
    SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"

    def test_sentence_bleu(self):
        # test_sentence_bleu.py test_cases ('intl' left out: not implemented). The 'char' rows are
        # sacrebleu's only asserted numbers for the character tokenizer used for Korean targets.
        cases = [
            ("exp", None, False, "13a", 8.493),
            ("none", None, False, "13a", 0.0),
            ("floor", None, False, "13a", 4.51688),    # defaults to 0.1
            ("floor", 0.1, False, "13a", 4.51688),
            ("floor", 0.5, False, "13a", 10.10),
            ("add-k", None, False, "13a", 14.882),     # defaults to 1
            ("add-k", 1, False, "13a", 14.882),
            ("add-k", 2, False, "13a", 21.389),
            ("exp", None, False, "none", 7.347),
            ("exp", None, False, "char", 40.8759),
            ("exp", None, True, "char", 42.0267),       # lowercase
        ]
        for method, value, lowercase, tok, expected in cases:
            with self.subTest(method=method, value=value, lowercase=lowercase, tok=tok):
                score = corpus_bleu([self.SYS], [self.REF], tokenize=tok, lowercase=lowercase,
                                    smooth_method=method, smooth_value=value, effective_order=True)["score"]
                self.assertLess(abs(score - expected), self.EPS)

    def test_sentence_bleu_zero(self):
        # test_sentence_bleu.py test_cases_zero_bleu (issue #141): no match means 0 whatever the smoothing
        for method, value in [("exp", None), ("none", None), ("floor", None), ("floor", 0.1),
                              ("add-k", None), ("add-k", 1)]:
            with self.subTest(method=method, value=value):
                score = corpus_bleu(["this is a cat"], ["okay thanks"], smooth_method=method,
                                    smooth_value=value, effective_order=True)["score"]
                self.assertLess(abs(score - 0.0), self.EPS)


class TestBleuDocumented(unittest.TestCase):
    """Outputs printed in sacrebleu README.md and HuggingFace evaluate metrics/sacrebleu doctests."""

    def test_readme_corpus_bleu(self):
        # README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
        r = corpus_bleu(_HYPS, _REFS)
        self.assertEqual(f"{r['score']:.2f}", "48.53")
        self.assertEqual("/".join(f"{p:.1f}" for p in r["precisions"]), "82.4/50.0/45.5/37.5")
        self.assertEqual(f"{r['bp']:.3f}", "0.943")           # brevity penalty: 17 < 18 tokens
        self.assertEqual(f"{r['sys_len'] / r['ref_len']:.3f}", "0.944")
        self.assertEqual((r["sys_len"], r["ref_len"]), (17, 18))

    def test_readme_variable_references(self):
        # README "Variable Number of References": an empty string means no reference there.
        # BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)
        refs = [["", "It was not unexpected.", "The man bit him first."], _REFS[1]]
        r = corpus_bleu(_HYPS, refs)
        self.assertEqual(f"{r['score']:.2f}", "29.44")
        self.assertEqual("/".join(f"{p:.1f}" for p in r["precisions"]), "82.4/42.9/27.3/12.5")
        self.assertEqual(f"{r['bp']:.3f}", "0.889")
        self.assertEqual((r["sys_len"], r["ref_len"]), (17, 19))

    def test_hf_evaluate_sacrebleu_examples(self):
        # huggingface/evaluate metrics/sacrebleu/sacrebleu.py doctests (references given per prediction,
        # transposed into streams as that wrapper does): round(score, 1) == 100.0 and 39.8
        refs1 = [["hello there general kenobi", "foo bar foobar"], ["hello there !", "foo bar foobar"]]
        self.assertEqual(round(corpus_bleu(["hello there general kenobi", "foo bar foobar"], refs1)["score"], 1), 100.0)
        refs2 = [["hello there general kenobi", "goodbye ankh morpork"], ["hello there !", "ankh morpork"]]
        hyps2 = ["hello there general kenobi", "on our way to ankh morpork"]
        self.assertEqual(round(corpus_bleu(hyps2, refs2)["score"], 1), 39.8)


class TestBleuSingleReference(unittest.TestCase):
    """The project's calling form: one reference string per hypothesis. Hand-derived expectations."""

    def test_perfect_match(self):
        r = corpus_bleu(_HYPS, _HYPS)
        self.assertAlmostEqual(r["score"], 100.0, places=9)
        self.assertEqual(r["bp"], 1.0)

    def test_empty_hypothesis(self):
        # All n-gram counts are zero: the #141 early stop gives 0; BP is 0 since sys_len is 0.
        r = corpus_bleu([""], ["a reference sentence"])
        self.assertEqual((r["score"], r["bp"], r["sys_len"], r["ref_len"]), (0.0, 0.0, 0, 3))

    def test_brevity_penalty(self):
        # Hypothesis is a 4-token prefix of an 8-token reference: all precisions 100, BP = exp(1 - 8/4).
        r = corpus_bleu(["a b c d"], ["a b c d e f g h"])
        self.assertEqual(r["precisions"], [100.0] * 4)
        self.assertAlmostEqual(r["bp"], math.exp(-1.0), places=12)
        self.assertAlmostEqual(r["score"], 100 * math.exp(-1.0), places=9)

    def test_single_and_stream_forms_agree(self):
        self.assertEqual(corpus_bleu(_HYPS, _REFS[0]), corpus_bleu(_HYPS, [_REFS[0]]))

    def test_korean_char_tokenizer(self):
        # Hand-derived: 'char' splits into syllables and drops spaces. Hyp 안녕하세요 (5 syllables)
        # vs ref 안녕 하세요 요 (6): matches 5/4/3/2 of totals 5/4/3/2, BP = exp(1 - 6/5).
        r = corpus_bleu(["안녕하세요"], ["안녕 하세요 요"], tokenize="char")
        self.assertEqual(r["counts"], [5, 4, 3, 2])
        self.assertEqual(r["totals"], [5, 4, 3, 2])
        self.assertEqual((r["sys_len"], r["ref_len"]), (5, 6))
        self.assertAlmostEqual(r["score"], 100 * math.exp(1 - 6 / 5), places=9)
        # Under 13a the unsegmented Korean is a single token: no match with the spaced reference.
        self.assertEqual(corpus_bleu(["안녕하세요"], ["안녕 하세요 요"])["score"], 0.0)

    def test_13a_tokenization(self):
        # Hand-derived from mteval-v13a's rules as sacrebleu writes them: symbols split off, but not
        # the apostrophe or a hyphen between letters; period/comma split unless between digits;
        # dash split after a digit; entities unescaped.
        self.assertEqual(tokenize_13a("It wasn't surprising."), "It wasn't surprising .")
        self.assertEqual(tokenize_13a("well-known x.y 3,000"), "well-known x . y 3,000")
        self.assertEqual(tokenize_13a("Pay $3.50, 1-2 days"), "Pay $ 3.50 , 1 - 2 days")
        self.assertEqual(tokenize_13a("a &amp; b &lt;c&gt;"), "a & b < c >")

    def test_errors(self):
        with self.assertRaises(ValueError):
            corpus_bleu(["a", "b"], ["a"])                   # misaligned files
        with self.assertRaises(ValueError):
            corpus_bleu(["a"], [""])                         # empty reference, as sacrebleu refuses
        with self.assertRaises(ValueError):
            corpus_bleu([], [])                              # empty corpus
        with self.assertRaises(ValueError):
            corpus_bleu(_HYPS, _REFS, tokenize="intl")       # not implemented, so refused


class TestChrfSacrebleuSuite(unittest.TestCase):
    """Cases from sacrebleu test/test_chrf.py (EPSILON = 1e-4)."""

    EPS = 1e-4

    def test_chrf_eps_smoothing(self):
        # test_chrf.py test_cases: char_order=6, word_order=0, beta=3, eps_smoothing=True
        cases = [
            (["abcdefg"], ["hijklmnop"], 0.0),
            (["a"], ["b"], 0.0),
            ([""], ["b"], 0.0),
            ([""], ["ref"], 0.0),
            ([""], ["reference"], 0.0),
            (["aa"], ["ab"], 8.3333),
            (["a", "b"], ["a", "c"], 8.3333),
            (["a"], ["a"], 16.6667),
            (["a b c"], ["a b c"], 50.0),
            (["a b c"], ["abc"], 50.0),
            ([" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
             ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 63.361730),
            ([" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
             ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 64.1302698),
            (["Niemand hat die Absicht, eine Mauer zu errichten"], ["Niemand hat die Absicht, eine Mauer zu errichten"], 100.0),
        ]
        for hyps, refs, expected in cases:
            with self.subTest(hyps=hyps, refs=refs):
                score = corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, eps_smoothing=True)["score"]
                self.assertLess(abs(score - expected), self.EPS)

    def test_chrf_effective_order(self):
        # test_chrf.py test_cases_effective_order: beta=3, eps_smoothing=False (sacrebleu 2.x's default)
        cases = [
            (["a"], ["a"], 100.0),
            ([""], ["reference"], 0.0),
            (["a b c"], ["a b c"], 100.0),
            (["a b c"], ["abc"], 100.0),
            ([""], ["c"], 0.0),
            (["a", "b"], ["a", "c"], 50.0),
            (["aa"], ["ab"], 25.0),
        ]
        for hyps, refs, expected in cases:
            with self.subTest(hyps=hyps, refs=refs):
                score = corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, eps_smoothing=False)["score"]
                self.assertLess(abs(score - expected), self.EPS)

    def test_chrf_keep_whitespace(self):
        # test_chrf.py test_cases_keep_whitespace: beta=3, remove_whitespace=False
        cases = [
            (["Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."],
             ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 67.3481606),
            (["risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
             ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 65.2414427),
        ]
        for hyps, refs, expected in cases:
            with self.subTest(hyps=hyps):
                score = corpus_chrf(hyps, [refs], char_order=6, word_order=0, beta=3, whitespace=True)["score"]
                self.assertLess(abs(score - expected), self.EPS)

    def test_chrf_sentence_level(self):
        # test_chrf.py test_sentence_level_chrf: sentence_chrf(..., eps_smoothing=True), beta 2
        cases = [
            ("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
             "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.", 39.14078509),
            ("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
             "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.", 31.22557079),
            ("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
             "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.", 57.15704367),
        ]
        for hyp, ref, expected in cases:
            with self.subTest(hyp=hyp):
                self.assertLess(abs(corpus_chrf([hyp], [ref], eps_smoothing=True)["score"] - expected), self.EPS)


class TestChrfDocumented(unittest.TestCase):
    """chrF/chrF++ outputs printed by sacrebleu's README and HuggingFace evaluate metrics/chrf doctests."""

    _P = ["The relationship between cats and dogs is not exactly friendly.",
          "a good bookshop is just a genteel black hole that knows how to read."]
    _R = ["The relationship between dogs and cats is not exactly friendly.",
          "A good bookshop is just a genteel Black Hole that knows how to read."]

    def test_readme_chrf(self):
        # README: CHRF().corpus_score(sys, refs) -> chrF2 = 59.73
        self.assertEqual(f"{corpus_chrf(_HYPS, _REFS)['score']:.2f}", "59.73")

    def test_hf_evaluate_chrf(self):
        # huggingface/evaluate metrics/chrf/chrf.py doctests, printed at full precision
        self.assertAlmostEqual(corpus_chrf(self._P, self._R)["score"], 84.64214891738334, places=9)

    def test_hf_evaluate_chrf_plus_plus(self):
        # same doctests: word_order=2 (chrF++), and chrF++ with lowercase=True
        self.assertAlmostEqual(corpus_chrf(self._P, self._R, word_order=2)["score"], 82.87263732906315, places=9)
        self.assertAlmostEqual(corpus_chrf(self._P, self._R, word_order=2, lowercase=True)["score"],
                               92.12853119829202, places=9)

    def test_perfect_and_empty(self):
        # Hand-derived: identical text is 100; an empty hypothesis matches nothing.
        self.assertAlmostEqual(corpus_chrf(self._R, self._R)["score"], 100.0, places=9)
        self.assertEqual(corpus_chrf([""], ["reference"])["score"], 0.0)


class TestCli(unittest.TestCase):
    def test_cli_prints_json(self):
        with tempfile.TemporaryDirectory() as d:
            hyp, ref = os.path.join(d, "hyp.txt"), os.path.join(d, "ref.txt")
            with open(hyp, "w", encoding="utf-8") as f:
                f.write("\n".join(_HYPS) + "\n")
            with open(ref, "w", encoding="utf-8") as f:
                f.write("\n".join(_REFS[0]) + "\n")
            for tok in ("13a", "char"):
                with self.subTest(tokenize=tok):
                    out = subprocess.run(
                        [sys.executable, "-m", "models.training.metrics", "--hyp", hyp, "--ref", ref, "--tokenize", tok],
                        cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
                    result = json.loads(out)
                    self.assertAlmostEqual(result["bleu"]["score"], corpus_bleu(_HYPS, _REFS[0], tokenize=tok)["score"])
                    self.assertAlmostEqual(result["chrf"]["score"], corpus_chrf(_HYPS, _REFS[0])["score"])


if __name__ == "__main__":
    unittest.main()
