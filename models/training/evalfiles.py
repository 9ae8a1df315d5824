"""Reads the evaluation sets' text files (../shared/corpora/eval): one segment a line, CSV quoting undone.

Both the corpus builder (data_sources.load_eval_keys, which keeps eval sentences out of training) and the scorer
(evaluate.py) read the files through read_segments, so they see the same sentences.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Union


def unquote_csv(line: str) -> str:
    """The text of a CSV-quoted line; any other line unchanged.

    The FLORES-200 Korean and German files quote, CSV style, every line that contains a quotation mark: the whole
    line in quotes, each quote inside doubled ("그는 ""현재…""고…" is 그는 "현재…"고…). A line counts as quoted only
    if it has a doubled quote inside and no single one: an English line that opens and closes with a real quotation
    ("This is not going to be goodbye. …") keeps its quotation marks, and so does a dialogue line such as
    "Are you Swedish?" "No, I'm Swiss." (Tatoeba).
    """
    inner = line[1:-1]
    if len(line) > 2 and line[0] == line[-1] == '"' and '""' in inner and '"' not in inner.replace('""', ""):
        return inner.replace('""', '"')
    return line


def read_segments(path: Union[str, Path]) -> List[str]:
    """One segment a line (a final newline does not make an empty segment), each through unquote_csv."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [unquote_csv(line) for line in lines]
