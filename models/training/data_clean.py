"""Text cleaning and pair filters for the corpus builder (data.py): markup out, one line a side, bad pairs named.

clean_text() turns one side of a pair (Markdown, reST/Sphinx, MDX/HTML, LibreOffice help text) into a single
whitespace-collapsed NFC line; pair_filter() gives the reason to drop a cleaned pair, or None to keep it.
Only the standard library is used.
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Optional

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

