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


def widened_offsets(spans: list[list[int]]) -> dict[int, int]:
    """Where each float16 span ([offset, bytes] in weights.bin, by offset) lies in the widened file: {offset: widened
    offset}. The one layout rule of that file (widened_bytes writes it, export.widen_storage points graphs into it)."""
    out, end = {}, 0
    for offset, length in spans:
        out[offset] = end
        end += 2 * length
    return out


def widened_bytes(weights: bytes, spans: list[list[int]]) -> bytes:
    """The float16 spans of `weights` ([offset, bytes] each), widened to float32 and put side by side in this order."""
    parts = []
    for offset, length in spans:
        if offset < 0 or length % 2 or offset + length > len(weights):
            raise ValueError(f"widenedWeights span [{offset}, {length}] lies outside the weights file ({len(weights)} bytes)")
        parts.append(np.frombuffer(weights, dtype="<f2", count=length // 2, offset=offset).astype("<f4").tobytes())
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
    key = hashlib.sha256(f"{package}\0{stat.st_size}\0{stat.st_mtime_ns}\0{json.dumps(widened['spans'])}".encode()).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "attention-companion-widened" / key
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / widened["file"]
    if not target.exists():
        part = folder / f"{widened['file']}.{os.getpid()}.part"
        part.write_bytes(widened_bytes(weights.read_bytes(), widened["spans"]))
        os.replace(part, target)                                   # whole or not at all, also with two writers
    for f in package.iterdir():
        link = folder / f.name
        if f.is_file() and not (link.is_symlink() and os.readlink(link) == str(f)):
            part = folder / f".{f.name}.{os.getpid()}.link"
            part.unlink(missing_ok=True)
            part.symlink_to(f)
            os.replace(part, link)
    return folder
