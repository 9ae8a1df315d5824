"""A package's graphs as onnxruntime (Python) opens them: graphs exported with widened weights (export.widen_storage)
read float32 weights from a file no package holds, which the engine writes in memory (src/engine/widenedWeights.ts,
the same rule). Here it is written once per package and weights file, in a folder of the temporary directory that
links every file of the package beside it; sessions open the graphs from there.

    from .ort_package import graph_dir
    ort.InferenceSession(str(graph_dir(package) / "encoder.onnx"), options)
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np


# How weights.bin stores what the widened file holds (the manifest's widenedWeights.encoding):
#   "float16"      a span is float16 values: n elements in 2n bytes;
#   "int8-block32" a span is ceil(n/32) float16 scales, then n int8 codes (bytes = n + 2*ceil(n/32)); element i is
#                  code[i] * scale[i // 32], computed in float32 (exact: an int8 times a float16 needs 19 bits).
#                  Half the bytes of float16 with the same dev scores (docs/PERFORMANCE.md, "Int8 weights").
FLOAT16, INT8_BLOCK32 = "float16", "int8-block32"
ENCODINGS = (FLOAT16, INT8_BLOCK32)
BLOCK = 32


def span_elements(nbytes: int, encoding: str) -> int:
    """How many float32 values a span of `nbytes` bytes widens to (ValueError when no span has that size)."""
    if encoding == FLOAT16:
        n = nbytes // 2 if nbytes % 2 == 0 else -1
    elif encoding == INT8_BLOCK32:
        n = nbytes - 2 * -(-nbytes // (BLOCK + 2))                   # the inverse of n + 2*ceil(n/32), which only grows
        n = n if n + 2 * -(-n // BLOCK) == nbytes else -1
    else:
        raise ValueError(f"widenedWeights.encoding {encoding!r}: not one of {ENCODINGS}")
    if n <= 0:
        raise ValueError(f"a {encoding} span cannot be {nbytes} bytes long")
    return n


def int8_block_encode(values: np.ndarray) -> bytes:
    """float32 values (any shape, read flat) -> the int8-block32 span: each block of 32 scaled by its largest
    magnitude / 127 (rounded to float16), codes rounded to nearest. Encoding decoded values again gives the same
    bytes (the block's largest code is +-127 and 127 * scale / 127 is exact), so a package exported again from its
    own weights keeps its weights file byte for byte."""
    x = np.asarray(values, dtype=np.float32).reshape(-1)
    blocks = np.concatenate([x, np.zeros(-len(x) % BLOCK, np.float32)]).reshape(-1, BLOCK)
    scales = (np.abs(blocks).max(axis=1) / np.float32(127)).astype(np.float16)
    if not np.isfinite(scales).all():
        raise ValueError("a weight too large for a float16 scale")
    s = scales.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        codes = np.where(s > 0, np.rint(blocks / np.where(s > 0, s, 1)), 0)
    codes = np.clip(codes, -127, 127).astype(np.int8).reshape(-1)[:len(x)]
    return scales.astype("<f2").tobytes() + codes.tobytes()


def int8_block_decode(raw: bytes) -> np.ndarray:
    """An int8-block32 span -> its float32 values (flat)."""
    n = span_elements(len(raw), INT8_BLOCK32)
    nb = -(-n // BLOCK)
    scales = np.frombuffer(raw, dtype="<f2", count=nb).astype(np.float32)
    codes = np.frombuffer(raw, dtype=np.int8, count=n, offset=2 * nb).astype(np.float32)
    return codes * np.repeat(scales, BLOCK)[:n]


def widened_offsets(spans: list[list[int]], encoding: str = FLOAT16) -> dict[int, int]:
    """Where each span ([offset, bytes] in weights.bin, by offset) lies in the widened file: {offset: widened
    offset}. The one layout rule of that file (widened_bytes writes it, export.widen_storage points graphs into it)."""
    out, end = {}, 0
    for offset, length in spans:
        out[offset] = end
        end += 4 * span_elements(length, encoding)
    return out


def widened_bytes(weights: bytes, spans: list[list[int]], encoding: str = FLOAT16) -> bytes:
    """The spans of `weights` ([offset, bytes] each), widened to float32 and put side by side in this order."""
    parts = []
    for offset, length in spans:
        if offset < 0 or offset + length > len(weights):
            raise ValueError(f"widenedWeights span [{offset}, {length}] lies outside the weights file ({len(weights)} bytes)")
        span_elements(length, encoding)
        raw = weights[offset:offset + length]
        values = np.frombuffer(raw, dtype="<f2").astype("<f4") if encoding == FLOAT16 else int8_block_decode(raw)
        parts.append(values.astype("<f4").tobytes())
    return b"".join(parts)


def graph_dir(package: Path) -> Path:
    """The folder to open `package`'s graphs from: the package itself, unless its graphs read widened weights."""
    package = Path(package).resolve()
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    widened = manifest.get("widenedWeights")
    if not widened or (package / widened["file"]).exists():
        return package
    weights = package / manifest["weights"]
    stat = weights.stat()
    # Keyed by the package's place and its weights file's identity: a package exported again gets a new file.
    key = hashlib.sha256(f"{package}\0{stat.st_size}\0{stat.st_mtime_ns}\0{json.dumps(widened)}".encode()).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "attention-companion-widened" / key
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / widened["file"]
    if not target.exists():
        part = folder / f"{widened['file']}.{os.getpid()}.part"
        part.write_bytes(widened_bytes(weights.read_bytes(), widened["spans"], widened.get("encoding", FLOAT16)))
        os.replace(part, target)                                   # whole or not at all, also with two writers
    for f in package.iterdir():
        link = folder / f.name
        if f.is_file() and not (link.is_symlink() and os.readlink(link) == str(f)):
            part = folder / f".{f.name}.{os.getpid()}.link"
            part.unlink(missing_ok=True)
            part.symlink_to(f)
            os.replace(part, link)
    return folder
