"""Tests for the corpus builder's cleaning, filters and parsers (no files outside the repo)."""
import os
import tempfile
import unittest

from models.training import data as D, data_clean as C, data_sources as S
from models.training.evalfiles import read_segments, unquote_csv


class CleaningTest(unittest.TestCase):
    def test_markdown_table_row_dropped(self):
        self.assertEqual(C.clean_text("| Model | Accuracy |\n|---|---|\n| BERT | 0.9 |\nAfter the table."),
                         "After the table.")
        self.assertTrue(C.is_table_line("| a | b |"))
        self.assertTrue(C.is_table_line("a | b | c"))
        self.assertFalse(C.is_table_line("Python |version| docs"))
        self.assertEqual(C.clean_text("| a | b |"), "")

    def test_rest_roles_stripped(self):
        self.assertEqual(C.clean_text("Use :func:`len` on it."), "Use len on it.")
        self.assertEqual(C.clean_text("See :class:`~collections.OrderedDict`."), "See OrderedDict.")
        self.assertEqual(C.clean_text(":ref:`the tutorial <tut-intro>` and ``x = 1``"),
                         "the tutorial and x = 1")
        self.assertEqual(C.clean_text(":mod:`!zipfile` --- Work with ZIP"), "zipfile --- Work with ZIP")
        self.assertEqual(C.clean_text("`PKZIP Note`_\\에 정의된"), "PKZIP Note에 정의된")
        self.assertEqual(C.clean_text("Run this::"), "Run this:")

    def test_d2l_markup(self):
        self.assertEqual(C.clean_text("as shown in :numref:`fig_x` (:cite:`Vaswani.2017`), we."),
                         "as shown in, we.")
        self.assertEqual(C.clean_text(":label:`sec_attention`"), "")
        self.assertEqual(C.clean_text("batch size $256$ and $x_i$를"), "batch size 256 and x_i를")

    def test_anchor_removed(self):
        self.assertEqual(C.clean_text("## Introduction [[introduction]]"), "Introduction")
        self.assertEqual(C.clean_text("# Setup {#setup}"), "Setup")

    def test_markdown_links_images_code_emphasis(self):
        self.assertEqual(C.clean_text("See [the guide](https://x.org/a_(b)) ![fig](img.png) now."),
                         "See the guide now.")
        self.assertEqual(C.clean_text("- Call `model.fit()` with **care** and *love*."),
                         "Call model.fit() with care and love.")
        self.assertEqual(C.clean_text("*pos*에 해당하는"), "pos에 해당하는")
        self.assertEqual(C.clean_text("Any *\\*args* here"), "Any *args here")

    def test_html(self):
        self.assertEqual(C.clean_text("<Tip>\n\nUse it &amp; enjoy <b>now</b>.\n\n</Tip>"),
                         "Use it & enjoy now.")
        self.assertEqual(C.clean_text('<img src="a.png"/>'), "")
        self.assertEqual(C.clean_text("a &lt; b"), "a < b")

    def test_whitespace(self):
        self.assertEqual(C.clean_text("  a\tb\n\n c  "), "a b c")


class FilterTest(unittest.TestCase):
    def test_korean_without_hangul_dropped(self):
        self.assertEqual(C.pair_filter("ko", "Hello world.", "Hello world."), "ko_no_hangul")
        self.assertEqual(C.pair_filter("ko", "Use the tf.data API for input pipelines now.",
                                       "Use the tf.data API for input pipelines 지금."),
                         "ko_mostly_latin")
        self.assertIsNone(C.pair_filter("ko", "Hello world.", "안녕하세요 세계."))

    def test_german_same_as_english(self):
        self.assertEqual(C.pair_filter("de", "Transformers", "Transformers"), "de_same_as_en")

    def test_empty_length_ratio_code(self):
        self.assertEqual(C.pair_filter("de", "", "Hallo"), "empty")
        self.assertEqual(C.pair_filter("de", "Hi.", "Das ist ein sehr, sehr langer Satz, der "
                                                    "nicht zu einem kurzen passt."), "length_ratio")
        self.assertEqual(C.pair_filter("de", "x = tf.constant([1, 2])", "x = tf.constant([1, 2]) "),
                         "de_same_as_en")
        self.assertTrue(C.is_codey("model.fit(x_train, y_train, epochs=5)"))
        self.assertTrue(C.is_codey("https://github.com/tensorflow/docs/blob/master/x.md"))
        self.assertTrue(C.is_codey(">>> import os"))
        self.assertFalse(C.is_codey("Call model.fit() to train the model on the data."))

    def test_eval_overlap_and_dedup(self):
        b = D.Builder(eval_keys={C.norm_key("The  cat sat on the MAT.")})
        b.add_source("src", "de", [
            ("The cat sat on the mat.", "Die Katze saß auf der Matte."),  # eval overlap (en)
            ("Good morning.", "Guten Morgen."),
            ("Good  morning.", "Guten Morgen."),  # duplicate after whitespace normalisation
            ("Good morning.", "Guten Tag."),  # different translation: kept
        ])
        self.assertEqual([(p.en, p.xx) for p in b.pairs],
                         [("Good morning.", "Guten Morgen."), ("Good morning.", "Guten Tag.")])
        self.assertEqual(b.dropped["eval_overlap"], 1)
        self.assertEqual(b.dropped["duplicate"], 1)
        self.assertEqual(b.kept[("src", "de")], 2)

    def test_eval_overlap_other_side_and_csv_quotes(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "flores200.devtest.kor_Hang"), "w", encoding="utf-8") as f:
                f.write('"그는 ""현재""라고 말했다."\n')
            with open(os.path.join(d, "other.txt"), "w", encoding="utf-8") as f:
                f.write("Not an eval file.\n")
            keys = S.load_eval_keys(d)
        self.assertIn(C.norm_key('그는 "현재"라고 말했다.'), keys)
        self.assertNotIn(C.norm_key("Not an eval file."), keys)
        b = D.Builder(keys)
        b.add_source("src", "ko", [("He said \"now\".", '그는 "현재"라고 말했다.')])
        self.assertEqual(b.pairs, [])
        self.assertEqual(b.dropped["eval_overlap"], 1)

    def test_max_per_source(self):
        b = D.Builder(set(), max_per_source=2)
        b.add_source("s", "de", [(f"Sentence number {i}.", f"Satz Nummer {i}.") for i in range(5)])
        self.assertEqual(len(b.pairs), 2)


class EvalFilesTest(unittest.TestCase):
    """evalfiles.read_segments: the one reader of the eval sets, for data.py (overlap keys) and evaluate.py (scoring)."""

    def test_csv_quoted_flores_line_is_unquoted(self):
        self.assertEqual(unquote_csv('"그는 ""현재…""고…"'), '그는 "현재…"고…')
        self.assertEqual(unquote_csv('"""이건 작별 인사가 아닙니다."""'), '"이건 작별 인사가 아닙니다."')

    def test_real_quotations_keep_their_marks(self):
        # An English FLORES line that is one quotation, and a Tatoeba dialogue line: not CSV quoting.
        for line in ['"This is not going to be goodbye."', '"Are you Swedish?" "No, I\'m Swiss."', '""', '"a"',
                     'Er sagte: "Ja."', '']:
            self.assertEqual(unquote_csv(line), line)

    def test_read_segments(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "flores200.devtest.kor_Hang")
            with open(path, "w", encoding="utf-8") as f:
                f.write('첫 줄.\n"그는 ""현재…""고…"\n\n마지막 줄.\n')
            self.assertEqual(read_segments(path), ["첫 줄.", '그는 "현재…"고…', "", "마지막 줄."])


PO = r'''# SOME DESCRIPTIVE TITLE.
msgid ""
msgstr ""
"Project-Id-Version: Python 3.13\n"
"Content-Type: text/plain; charset=utf-8\n"

#: ../../library/zipfile.rst:2
msgid ":mod:`!zipfile` --- Work with ZIP archives"
msgstr ":mod:`!zipfile` --- ZIP 아카이브 작업"

#: ../../library/zipfile.rst:14
msgid ""
"The ZIP file format is a common archive "
"and compression \"standard\"."
msgstr ""
"ZIP 파일 형식은 흔히 쓰이는 "
"아카이브와 압축 표준입니다."

#: ../../library/zipfile.rst:20
#, fuzzy
msgid "This entry is fuzzy."
msgstr "퍼지 항목."

#: ../../library/zipfile.rst:26
msgid "Not translated yet."
msgstr ""

#, python-format
msgctxt "menu"
msgid "Open %s"
msgstr "%s 열기"

msgid "One file"
msgid_plural "%d files"
msgstr[0] "파일 %d개"

#~ msgid "Obsolete."
#~ msgstr "폐기됨."
'''


class PoParserTest(unittest.TestCase):
    def test_parse_po(self):
        self.assertEqual(S.parse_po(PO), [
            (":mod:`!zipfile` --- Work with ZIP archives", ":mod:`!zipfile` --- ZIP 아카이브 작업"),
            ('The ZIP file format is a common archive and compression "standard".',
             "ZIP 파일 형식은 흔히 쓰이는 아카이브와 압축 표준입니다."),
            ("Open %s", "%s 열기"),
            ("One file", "파일 %d개"),
        ])


class LibreOfficeTest(unittest.TestCase):
    HTML = '''<html><head><script>var x = "<p id='par_id1'>no</p>";</script></head><body>
<div id="DisplayArea">
<h1 id="hd_id3147291" dir="auto">Load/Save Options</h1>
<p id="par_id3146957" class="paragraph"><a name="laden"></a><span class="avis">Specifies general settings. </span></p>
<p id="par_id2" class="embedded">Choose <span class="switchinline"><span hidden="true" id="MACtext_27" class="MAC"><span class="emph">LibreOffice - Preferences</span></span><span hidden="true" id="defaulttext_27"><span class="emph">Tools - Options</span></span></span> - Load/Save.</p>
<p id="par_id3" class="x">First<br>second</p>
</div></body></html>'''

    def test_parse_help_html(self):
        paras = S.parse_help_html(self.HTML)
        self.assertEqual(dict(paras), {
            "hd_id3147291": "Load/Save Options",
            "par_id3146957": "Specifies general settings.",
            "par_id2": "Choose Tools - Options - Load/Save.",
            "par_id3": "First second",
        })

    def test_mnemonic(self):
        self.assertEqual(S._MNEMONIC_RE.sub("", "~File"), "File")
        self.assertEqual(S._MNEMONIC_RE.sub("", "파일(~F)"), "파일")


if __name__ == "__main__":
    unittest.main()


class NumbersTest(unittest.TestCase):
    def test_words(self):
        from models.training.data_numbers import english_words, german_count
        self.assertEqual([english_words(n) for n in (2, 12, 13, 20, 21, 99, 100)],
                         ["two", "twelve", "thirteen", "twenty", "twenty-one", "ninety-nine", "one hundred"])
        self.assertEqual([german_count(n) for n in (2, 7, 12, 13, 48)], ["zwei", "sieben", "zwölf", "13", "48"])

    def test_pairs_pass_the_filters_and_keep_the_count(self):
        from models.training.data_numbers import number_pairs
        for lang in ("ko", "de"):
            pairs = list(number_pairs(lang))
            self.assertEqual(len(pairs), len(set(pairs)))
            for en, xx in pairs:
                self.assertIsNone(C.pair_filter(lang, C.clean_text(en), C.clean_text(xx)), (en, xx))
        self.assertIn(("The model was trained for twelve hours.", "모델은 12시간 동안 훈련되었다."), list(number_pairs("ko")))
        self.assertEqual(list(number_pairs("ko")), list(number_pairs("ko")))          # deterministic

    def test_interleave_keeps_both_orders(self):
        import random
        pairs = [D.Pair("c", "ko", f"e{i}", f"x{i}") for i in range(50)]
        extra = [D.Pair("n", "ko", f"n{i}", f"y{i}") for i in range(10)]
        out = D.interleave(pairs, extra, random.Random(3))
        self.assertEqual(len(out), 60)
        self.assertEqual([p for p in out if p.corpus == "c"], pairs)
        self.assertEqual([p for p in out if p.corpus == "n"], extra)
        self.assertNotEqual(out[:50], pairs)                                        # not simply appended
