"""Readers for the corpus builder (data.py): gettext catalogs, aligned jsonl.xz files, tar archives, the LibreOffice
help pages and UI catalogs from Debian packages, and the evaluation sets' sentences (kept out of training).

Each reader yields raw (English, other) text; data_clean cleans and filters it. Only the standard library is used
(apt-get and dpkg for the Debian packages).
"""
from __future__ import annotations

import gettext
import glob
import html.parser
import json
import lzma
import os
import re
import subprocess
import tarfile
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Set, Tuple

from .data_clean import collapse_ws, norm_key
from .evalfiles import read_segments

DEBIAN_PACKAGES = ["libreoffice-help-ko", "libreoffice-help-en-us", "libreoffice-l10n-ko",
                   "libreoffice-help-de", "libreoffice-l10n-de"]

# ---------------------------------------------------------------------------------------------
# Gettext catalogs, aligned files, plain text, archives
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
    """The lines of a text file, newlines removed (undecodable bytes replaced)."""
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


def aligned_name(path: str) -> Tuple[str, str, str]:
    """'tf-docs-l10n.ko.sent_pairs.jsonl.xz' -> ('tf-docs-l10n', 'ko', 'sent_pairs')."""
    base = os.path.basename(path)[: -len(".jsonl.xz")]
    corpus, lang, kind = base.rsplit(".", 2)
    return corpus, lang, kind


def po_files(root: str) -> List[str]:
    """Every .po file under root, sorted."""
    out = []
    for dirpath, _, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files if f.endswith(".po")]
    return sorted(out)


def po_items(paths: List[str]) -> Iterator[Tuple[str, str]]:
    """(msgid, msgstr) of every translated entry of the catalogs, in order."""
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            yield from parse_po(f.read())


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


EVAL_PATTERNS = ("flores200.devtest.*", "newstest2014.*", "tatoeba*")


def load_eval_keys(eval_dir: str) -> Set[str]:
    """Normalised sentences (norm_key) of every evaluation file: flores200.devtest.*, newstest2014.*, tatoeba*.
    Read as evaluate.py reads them (evalfiles.read_segments), so FLORES's CSV-quoted lines count unquoted."""
    keys: Set[str] = set()
    for pat in EVAL_PATTERNS:
        for path in sorted(glob.glob(os.path.join(eval_dir, pat))):
            keys.update(norm_key(s) for s in read_segments(path) if s.strip())
    return keys
