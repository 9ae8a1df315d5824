"""Corpus builder: parallel en-ko / en-de pairs for training the translation model.

Run from the repository root:

    .venv/bin/python -m models.training.data --corpora ../shared/corpora --out build/data

Reads the public corpora described in ../shared/corpora/README.md (plus, unless --no-debian, the
LibreOffice help pages and UI catalogs from Debian packages) and writes to --out:

  train.tsv, dev.tsv   corpus \\t lang_a \\t lang_b \\t text_a \\t text_b   (lang_a is always "en")
  spm.txt              text for the SentencePiece tokenizer (train sentences only, English capped)
  stats.json           pairs kept per source and direction, and pairs dropped by each filter

Only the standard library is used. Every step is a single pass; the whole run takes a few minutes.
"""
from __future__ import annotations

import argparse
import gettext
import glob
import html
import html.parser
import json
import lzma
import os
import random
import re
import subprocess
import sys
import tarfile
import time
import unicodedata
from collections import Counter, OrderedDict
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CORPORA = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "corpora"))

DEBIAN_PACKAGES = ["libreoffice-help-ko", "libreoffice-help-en-us", "libreoffice-l10n-ko",
                   "libreoffice-help-de", "libreoffice-l10n-de"]

Pair = Tuple[str, str, str, str]  # (corpus, lang_b, en, other)

# ---------------------------------------------------------------------------------------------
# Character classes
# ---------------------------------------------------------------------------------------------

_HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WS_RE = re.compile(r"\s+")


def hangul_count(text: str) -> int:
    return len(_HANGUL_RE.findall(text))


def latin_count(text: str) -> int:
    return len(_LATIN_RE.findall(text))


def has_hangul(text: str) -> bool:
    return _HANGUL_RE.search(text) is not None


def collapse_ws(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def norm_key(text: str) -> str:
    """Key used for eval-overlap checks: NFC, lower case, whitespace collapsed."""
    return collapse_ws(unicodedata.normalize("NFC", text)).lower()


# ---------------------------------------------------------------------------------------------
# Cleaning: each step a small function; clean_text() chains them
# ---------------------------------------------------------------------------------------------

_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}")
_TABLE_MID_RE = re.compile(r"\s\|\s.*\s\|\s")


def is_table_line(line: str) -> bool:
    """A Markdown table row: starts or ends with '|', a '---|' separator, or several ' | ' cells.

    reST substitutions like |version| (one word between bars) are not tables.
    """
    s = line.strip()
    if not s:
        return False
    if s.startswith("|") or s.endswith("|") and not re.search(r"\|\w+\|$", s):
        return True
    if _TABLE_SEP_RE.match(s) and "|" in s:
        return True
    return _TABLE_MID_RE.search(s) is not None


def drop_table_lines(text: str) -> str:
    return "\n".join(l for l in text.split("\n") if not is_table_line(l))


_HTML_BLOCK_RE = re.compile(r"^\s*</?[A-Za-z][^>]*>?.*$")
_HTML_COMMENT_RE = re.compile(r"<!--.*?(-->|$)", re.S)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(\s[^<>]*)?/?>")
_BLOCK_TAGS = ("div", "table", "tr", "td", "th", "Tip", "Question", "iframe", "video", "img",
               "script", "style", "Youtube", "hfoptions", "hfoption", "frameworkcontent", "pt",
               "tf", "jax", "CourseFloatingBanner", "DocNotebookDropdown", "figure", "source",
               "audio", "picture", "svg", "Added", "Changed", "Deprecated", "EditOnGithub")


def strip_html(text: str) -> str:
    """Drop HTML comments, lines that are HTML/MDX blocks (a line starting with a block tag or a
    self-closing component) and remove remaining inline tags (keeping their text)."""
    text = _HTML_COMMENT_RE.sub(" ", text)
    out = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("<"):
            m = re.match(r"</?([A-Za-z][A-Za-z0-9]*)", s)
            if m and (m.group(1) in _BLOCK_TAGS or m.group(1)[0].isupper() or s.endswith("/>")
                      or (s.endswith(">") and _TAG_RE.sub("", s).strip() == "")):
                continue
        out.append(line)
    return _TAG_RE.sub("", "\n".join(out))


_ANCHOR_RE = re.compile(r"\[\[[^\]]*\]\]|\{#[^}]*\}|\{:[^}]*\}|\(#[\w-]+\)=")


def strip_anchors(text: str) -> str:
    """Heading anchors: [[introduction]], {#anchor}, {: .class}, MyST (#label)=."""
    return _ANCHOR_RE.sub("", text)


# d2l / sphinx roles whose argument is a label, not text: removed with their argument.
_LABEL_ROLES = ("numref", "cite", "label", "eqref", "eqlabel", "ref", "width", "height",
                "citet", "citep", "footcite", "numfig", "doc", "download", "source")
_ROLE_RE = re.compile(r":(?:[\w-]+:)?([\w-]+):`([^`]*)`(?:_{1,2})?")


def _role_sub(m: "re.Match[str]") -> str:
    role, arg = m.group(1), m.group(2)
    lt = re.match(r"^(.*?)\s*<[^<>]+>$", arg, re.S)
    if lt and lt.group(1):  # :ref:`text <label>` -> text
        return lt.group(1)
    if role in _LABEL_ROLES:
        return "\ue00f"  # removed; see strip_roles
    arg = arg.lstrip("!")
    if arg.startswith("~"):  # :func:`~a.b.c` shows as c
        arg = arg[1:].rsplit(".", 1)[-1]
    return arg


def strip_roles(text: str) -> str:
    """reST/Sphinx/d2l roles: :func:`foo` -> foo, :class:`~a.B` -> B, :ref:`text <x>` -> text,
    :numref:`sec_x` / :cite:`X` / :label:`x` -> removed. Also `text <url>`_ -> text, |sub| -> sub,
    reST escapes (\\ before a letter) and trailing :: -> :."""
    text = _ROLE_RE.sub(_role_sub, text)
    if "\ue00f" in text:  # "see :numref:`x`." -> "see." ; "(:cite:`y`)" -> ""
        text = re.sub(r"\s*\ue00f\s*(?=[.,;:!?)]|$)", "", text)
        text = re.sub(r"\((\s|\ue00f|,)*\)", "", text)
        text = text.replace("\ue00f", "")
        text = re.sub(r"[ \t]+(?=[,.;:!?](\s|$))", "", text)
    text = re.sub(r"`([^`<]+?)\s*<[^<>`]+>`_{1,2}", r"\1", text)  # `text <url>`_
    text = re.sub(r"`([^`]+)`_{1,2}", r"\1", text)  # `text`_
    text = re.sub(r"\|(\w[\w .-]*)\|", r"\1", text)  # |version|
    text = re.sub(r"\\(?=[\s\uac00-\ud7a3])", "", text)  # reST escaped space: `foo`\ 를
    text = re.sub(r"(?<![:\w]):[a-z]+:(?=['\"\u2018\u2019\w])", "", text)  # broken role residue
    text = re.sub(r"\s*::\s*$", ":", text)
    text = re.sub(r"\s+::(\s)", r"\1", text)
    return text


_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)")
_REFLINK_RE = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")


def strip_md_links(text: str) -> str:
    """Images dropped; [text](url) -> text; [text][ref] -> text."""
    text = _IMAGE_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    return _REFLINK_RE.sub(r"\1", text)


def strip_inline_markup(text: str) -> str:
    """Inline code backticks, **bold**, *emphasis*, __bold__, inline $math$ delimiters,
    LibreOffice mnemonics."""
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)  # display math: drop
    # inline $x$ -> x (not LibreOffice's $(ARG1) placeholders)
    text = re.sub(r"(?<![A-Za-z0-9$])\$(?!\()([^$\n]{1,80}?)\$(?![A-Za-z0-9$])", r"\1", text)
    text = re.sub(r"`{1,3}([^`]*)`{1,3}", r"\1", text)
    text = text.replace("`", "")
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![A-Za-z0-9*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![A-Za-z0-9*])", r"\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])__(?!\s)(.+?)(?<!\s)__(?![A-Za-z0-9])", r"\1", text)
    text = re.sub(r"(?<=[.:!?])\s+[*\-]\s+(?=\S)", " ", text)  # list items joined into one line
    return text


_LIST_MARK_RE = re.compile(r"^\s*(?:#{1,6}\s+|[*+\-]\s+|>\s*|\d+[.)]\s+(?=\D)|\.\.\s+\w+::\s*)")


def strip_line_markers(text: str) -> str:
    """Leading heading '#', list '*', '-', '+', block quote '>' markers on each line.
    Numbered list markers ('1. ') are dropped too; a lone number heading stays."""
    out = []
    for line in text.split("\n"):
        prev = None
        while prev != line:
            prev = line
            line = _LIST_MARK_RE.sub("", line, count=1)
        out.append(line)
    return "\n".join(out)


_ESCAPES = {"*": "\ue001", "_": "\ue002", "`": "\ue003", "|": "\ue004", "\\": "\ue005",
            "[": "\ue006", "]": "\ue007", "#": "\ue008", "$": "\ue009", "<": "\ue00a"}
_UNESCAPE = {v: k for k, v in _ESCAPES.items()}
_ESC_RE = re.compile(r"\\([*_`|\\\[\]#$<])")
_UNESC_RE = re.compile("[\ue001-\ue00a]")


def protect_escapes(text: str) -> str:
    """Markdown/reST backslash escapes (\\*, \\_, ...) become placeholders, so that markup
    stripping leaves the escaped character alone; restore_escapes() puts the character back."""
    return _ESC_RE.sub(lambda m: _ESCAPES[m.group(1)], text)


def restore_escapes(text: str) -> str:
    return _UNESC_RE.sub(lambda m: _UNESCAPE[m.group(0)], text)


def clean_text(text: str) -> str:
    """Full cleaning chain for one side of a pair; returns a single whitespace-collapsed line."""
    text = text.replace("\r", "\n").replace("\t", " ")
    text = html.unescape(text)
    text = re.sub(r"\\{1,2}\(\s*(.{1,80}?)\s*\\{1,2}\)", r"\1", text)  # MathJax \\( x \\) -> x
    text = protect_escapes(text)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = drop_table_lines(text)
    text = strip_roles(text)
    text = strip_html(text)
    text = strip_anchors(text)
    text = strip_md_links(text)
    text = strip_inline_markup(text)
    text = strip_line_markers(text)
    text = restore_escapes(text)
    text = collapse_ws(text)
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# Pair filters: each returns a reason string to drop, or None to keep
# ---------------------------------------------------------------------------------------------

_URL_RE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|\S+@\S+\.\w+")
_CODE_TOKEN_RE = re.compile(r"\w\(|[{};=<>\\]|::|->|^[-$>]|[A-Za-z0-9]_[A-Za-z0-9]|[A-Za-z]/[A-Za-z]"
                            r"|[a-z0-9)\]]\.[a-z_(]")
_ABBREV_RE = re.compile(r"^\(?(?:e\.g|i\.e|a\.k\.a|cf|etc|vs)\.?[,:)]?$", re.I)
_CODE_START_RE = re.compile(r"^(?:>>>|\$ |import |from \S+ import|def |class \w+[(:]|pip install|"
                            r"python |git |curl |sudo |npm |conda |#include|%[a-z]|!pip)")


def is_codey(text: str) -> bool:
    """Mostly code, URLs, paths or identifiers rather than prose."""
    if _CODE_START_RE.match(text):
        return True
    no_url = _URL_RE.sub("", text)
    if len(no_url.strip()) < 0.5 * len(text.strip()):
        return True
    toks = no_url.split()
    if not toks:
        return True
    letters = sum(1 for c in no_url if c.isalpha())
    if letters < 0.5 * len(no_url.replace(" ", "")):
        return True
    codey = sum(1 for t in toks if _CODE_TOKEN_RE.search(t) and not _ABBREV_RE.match(t))
    return len(toks) >= 2 and codey > 0.5 * len(toks) or (len(toks) == 1 and codey == 1
                                                          and len(toks[0]) > 3)


# (min, max) of len(other)/len(en) in characters, smoothed with +10 on both sides
RATIO_BOUNDS = {"ko": (0.15, 1.5), "de": (0.5, 2.0)}
MAX_WORDS = 120
MAX_CHARS = 400


def length_ratio(en: str, other: str) -> float:
    return (len(other) + 10) / (len(en) + 10)


def pair_filter(lang: str, en: str, other: str) -> Optional[str]:
    """Reason to drop the (already cleaned) pair, or None."""
    if not en or not other:
        return "empty"
    if not any(c.isalnum() for c in en) or not any(c.isalnum() for c in other):
        return "empty"
    if lang == "ko":
        h = hangul_count(other)
        if h == 0:
            return "ko_no_hangul"
        if h < 0.3 * latin_count(other):
            return "ko_mostly_latin"
        if has_hangul(en):
            return "en_has_hangul"
    else:
        if norm_key(en) == norm_key(other):
            return "de_same_as_en"
        if has_hangul(other) or has_hangul(en):
            return "de_has_hangul"
    if (len(en) > MAX_CHARS or len(other) > MAX_CHARS or len(en.split()) > MAX_WORDS
            or len(other.split()) > MAX_WORDS):
        return "too_long"
    if is_codey(en) or is_codey(other):
        return "code_or_url"
    lo, hi = RATIO_BOUNDS[lang]
    r = length_ratio(en, other)
    if r < lo or r > hi:
        return "length_ratio"
    return None


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------

def _po_unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        s = s[1:-1]
    return (s.replace("\\\\", "\x00").replace('\\"', '"').replace("\\n", "\n")
            .replace("\\t", "\t").replace("\x00", "\\"))


def parse_po(text: str) -> List[Tuple[str, str]]:
    """Parse a gettext .po file: [(msgid, msgstr)]. Skips the header (empty msgid), fuzzy entries,
    obsolete (#~) entries and empty translations. For plurals msgid/msgstr[0] are used;
    msgctxt is ignored."""
    out: List[Tuple[str, str]] = []
    cur: Dict[str, str] = {}
    flags = ""
    last: Optional[str] = None

    def flush() -> None:
        mid = cur.get("msgid", "")
        mstr = cur.get("msgstr", cur.get("msgstr[0]", ""))
        if mid and mstr and "fuzzy" not in flags:
            out.append((mid, mstr))

    def has_msgstr() -> bool:
        return any(k.startswith("msgstr") for k in cur)

    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if has_msgstr():
                flush()
                cur, flags, last = {}, "", None
            if line.startswith("#,"):
                flags += line
            continue
        if line.startswith('"'):
            if last is not None:
                cur[last] += _po_unquote(line)
            continue
        key, _, rest = line.partition(" ")
        if key in ("msgctxt", "msgid") and has_msgstr():
            flush()
            cur, flags = {}, ""
        cur[key] = _po_unquote(rest)
        last = key
    if has_msgstr():
        flush()
    return out


def read_jsonl_xz(path: str) -> Iterator[dict]:
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def read_lines(path: str) -> List[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\n") for l in f]


def extract_tar(archive: str, dest_root: str) -> str:
    """Extract archive (tar.xz) into dest_root unless its top-level folder is already there.
    Returns the top-level folder."""
    with tarfile.open(archive) as tf:
        first = tf.next()
        top = first.name.split("/")[0] if first else ""
        target = os.path.join(dest_root, top)
        if top and os.path.isdir(target) and os.listdir(target):
            return target
        os.makedirs(dest_root, exist_ok=True)
        print(f"  extracting {os.path.basename(archive)} -> {target}", flush=True)
        tf.close()
    with tarfile.open(archive) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest_root, filter="data")
        else:
            tf.extractall(dest_root)
    return target


# ---------------------------------------------------------------------------------------------
# LibreOffice (Debian packages)
# ---------------------------------------------------------------------------------------------

def fetch_debian(cache: str) -> Optional[str]:
    """apt-get download the LibreOffice help/l10n packages into cache/debs and dpkg -x them into
    cache/lo. Reuses what is there. Returns the extraction root or None on failure."""
    debs, root = os.path.join(cache, "debs"), os.path.join(cache, "lo")
    os.makedirs(debs, exist_ok=True)
    marker = os.path.join(root, ".extracted")
    if os.path.exists(marker):
        return root
    missing = [p for p in DEBIAN_PACKAGES if not glob.glob(os.path.join(debs, p + "_*.deb"))]
    if missing:
        print(f"  apt-get download {' '.join(missing)}", flush=True)
        try:
            r = subprocess.run(["apt-get", "download"] + missing, cwd=debs, capture_output=True,
                               text=True, timeout=600)
            if r.returncode != 0:
                print("WARNING: apt-get download failed: " + r.stderr.strip()[-500:], flush=True)
        except (OSError, subprocess.SubprocessError) as e:
            print(f"WARNING: apt-get download failed: {e}", flush=True)
    found = [p for p in DEBIAN_PACKAGES if glob.glob(os.path.join(debs, p + "_*.deb"))]
    if not found:
        print("WARNING: no LibreOffice packages; continuing without them", flush=True)
        return None
    os.makedirs(root, exist_ok=True)
    for p in found:
        deb = sorted(glob.glob(os.path.join(debs, p + "_*.deb")))[-1]
        try:
            subprocess.run(["dpkg", "-x", deb, root], check=True, capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            print(f"WARNING: dpkg -x {deb} failed: {e}", flush=True)
            return None
    if len(found) == len(DEBIAN_PACKAGES):
        open(marker, "w").close()
    return root


_HELP_ID_RE = re.compile(r"^(?:par|hd)_id")
_VOID_TAGS = {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed",
              "source", "wbr", "param", "track"}


class _HelpParser(html.parser.HTMLParser):
    """Collects the text of every element whose id is par_id*/hd_id*; skips hidden platform
    variants (switchinline MAC/...; keeps the 'default' one), scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: List[Tuple[str, bool, Optional[str]]] = []  # (tag, skip, collect id)
        self.skip = 0
        self.cur_id: Optional[str] = None
        self.buf: List[str] = []
        self.paras: "OrderedDict[str, str]" = OrderedDict()
        self.dupes: Set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_TAGS:
            if tag == "br" and self.cur_id and not self.skip:
                self.buf.append(" ")
            return
        a = dict(attrs)
        eid = a.get("id") or ""
        skip = (tag in ("script", "style")
                or ("hidden" in a and not eid.startswith("default")))
        collect = None
        if self.cur_id is None and _HELP_ID_RE.match(eid):
            collect = eid
            self.cur_id, self.buf = eid, []
        if skip:
            self.skip += 1
        self.stack.append((tag, skip, collect))

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        # pop until the matching tag (tolerates unclosed elements)
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, skip, collect = self.stack.pop()
            if skip:
                self.skip -= 1
            if collect is not None:
                text = collapse_ws("".join(self.buf))
                if collect in self.paras or collect in self.dupes:
                    self.paras.pop(collect, None)
                    self.dupes.add(collect)
                else:
                    self.paras[collect] = text
                self.cur_id, self.buf = None, []
            if t == tag:
                break

    def handle_data(self, data):
        if self.cur_id is not None and not self.skip:
            self.buf.append(data)


def parse_help_html(text: str) -> "OrderedDict[str, str]":
    p = _HelpParser()
    # only the display area matters; cut the big header/nav boilerplate
    i = text.find('<div id="DisplayArea"')
    p.feed(text[i:] if i >= 0 else text)
    p.close()
    return p.paras


def read_lo_help(root: str, lang: str) -> Iterator[Tuple[str, str, str]]:
    """Yield (en, other, file) help paragraphs aligned by (file, par_id/hd_id)."""
    base = os.path.join(root, "usr", "share", "libreoffice", "help")
    en_dir, xx_dir = os.path.join(base, "en-US"), os.path.join(base, lang)
    if not (os.path.isdir(en_dir) and os.path.isdir(xx_dir)):
        return
    for dirpath, _, files in os.walk(os.path.join(xx_dir, "text")):
        for fn in sorted(files):
            if not fn.endswith((".html", ".xhp")):
                continue
            xx_path = os.path.join(dirpath, fn)
            rel = os.path.relpath(xx_path, xx_dir)
            en_path = os.path.join(en_dir, rel)
            if not os.path.exists(en_path):
                continue
            with open(xx_path, encoding="utf-8", errors="replace") as f:
                xx = parse_help_html(f.read())
            with open(en_path, encoding="utf-8", errors="replace") as f:
                en = parse_help_html(f.read())
            for pid, t in xx.items():
                e = en.get(pid)
                if e and t:
                    yield e, t, rel


def read_mo(path: str) -> Dict[str, str]:
    """.mo catalog -> {msgid: msgstr}; msgid keeps its 'context\\x04' prefix."""
    with open(path, "rb") as f:
        cat = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    out = {}
    for k, v in cat.items():
        if isinstance(k, tuple):  # plural (msgid, n)
            if k[1] != 0:
                continue
            k = k[0]
        if k:
            out[k] = v
    return out


_MNEMONIC_RE = re.compile(r"\s*\([~_][A-Za-z0-9]\)|~|_(?=\w)")


def read_lo_ui(root: str, lang: str) -> Iterator[Tuple[str, str, str]]:
    """LibreOffice UI strings. The msgid is 'context\\x04English text', so the English side is the
    text after the context; no English catalog is needed."""
    for mo in sorted(glob.glob(os.path.join(root, "usr", "lib", "libreoffice", "program",
                                            "resource", lang, "LC_MESSAGES", "*.mo"))):
        for k, v in read_mo(mo).items():
            en = k.split("\x04", 1)[-1]
            if en and v and v != en:
                yield _MNEMONIC_RE.sub("", en), _MNEMONIC_RE.sub("", v), os.path.basename(mo)


# ---------------------------------------------------------------------------------------------
# Eval sets
# ---------------------------------------------------------------------------------------------

def load_eval_keys(eval_dir: str) -> Set[str]:
    """Normalised lines of every evaluation file (flores200.devtest.*, newstest2014.*, tatoeba*)."""
    keys: Set[str] = set()
    pats = ["flores200.devtest.*", "newstest2014.*", "tatoeba*"]
    for pat in pats:
        for path in sorted(glob.glob(os.path.join(eval_dir, pat))):
            for line in read_lines(path):
                s = line.strip()
                if len(s) >= 2 and s[0] == '"' and s[-1] == '"':  # CSV-quoted FLORES Korean
                    s2 = s[1:-1].replace('""', '"')
                    keys.add(norm_key(s2))
                if s:
                    keys.add(norm_key(s))
    return keys


# ---------------------------------------------------------------------------------------------
# Builder
# ---------------------------------------------------------------------------------------------

class Builder:
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
        n = 0
        for en_raw, xx_raw in items:
            if cap is not None and self.kept[(corpus, lang)] >= cap:
                break
            r = self.check(corpus, lang, en_raw, xx_raw, clean)
            if r is None:
                continue
            self.pairs.extend([(corpus, lang, r[0], r[1])] * repeat)
            self.kept[(corpus, lang)] += 1
            n += 1


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


def _aligned_name(path: str) -> Tuple[str, str, str]:
    """'tf-docs-l10n.ko.sent_pairs.jsonl.xz' -> ('tf-docs-l10n', 'ko', 'sent_pairs')."""
    base = os.path.basename(path)[: -len(".jsonl.xz")]
    corpus, lang, kind = base.rsplit(".", 2)
    return corpus, lang, kind


def _po_files(root: str) -> List[str]:
    out = []
    for dirpath, _, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files if f.endswith(".po")]
    return sorted(out)


def _po_items(paths: List[str]) -> Iterator[Tuple[str, str]]:
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            yield from parse_po(f.read())


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
        cands.append((corpus, lang, r[0], r[1]))
    rng.shuffle(cands)
    chosen = cands[:n]
    for c in chosen:
        b.protected.add(norm_key(c[2]))
        b.protected.add(norm_key(c[3]))
    return chosen


def build(corpora: str, out: str, max_per_source: Optional[int] = None, debian: bool = True,
          seed: int = 1, dev_size: int = 500, d2l_mt_max: int = 0, cache: Optional[str] = None,
          spm_en_factor: float = 1.0) -> dict:
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
    pydocs_items = list(_po_items(_po_files(pydocs)))  # parsed once, used for dev and train
    django_items = list(_po_items(_po_files(django)))
    dev: List[Pair] = []
    files = sorted(glob.glob(os.path.join(aligned, "*.jsonl.xz")))
    n_general = dev_size // 5   # per general-domain source
    n_ko_py = (dev_size - n_general * len(GENERAL_KO_DEV)) * 2 // 3
    dev += _dev_candidates(b, "python-docs-ko", "ko", pydocs_items, n_ko_py, rng)
    dev += _dev_candidates(b, "django-docs-ko", "ko", django_items,
                           dev_size - n_ko_py - n_general * len(GENERAL_KO_DEV), rng)
    for path in files:
        corpus, lang, _ = _aligned_name(path)
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
            corpus, lang, k = _aligned_name(path)
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
    write_tsv(os.path.join(out, "train.tsv"), train)
    write_tsv(os.path.join(out, "dev.tsv"), dev)
    spm_counts = write_spm(os.path.join(out, "spm.txt"), train, rng, spm_en_factor)

    stats = {
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


def tsv_field(s: str) -> str:
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
