"""The manifest.json that export.py writes has exactly the fields src/shared/manifest.ts declares (the mirror comment
at the top of both files, enforced): exports a tiny random model and compares key sets, nested, with the interfaces
parsed from the TypeScript text. Renaming, adding or dropping a field on either side fails here."""
import re
import tempfile
import unittest
from pathlib import Path

import torch

from models.training.evaluate import score
from models.training.export import export_package
from models.training.model import ModelConfig, Transformer
from models.training import tokenizer as tk

REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST_TS = REPO_ROOT / "src" / "shared" / "manifest.ts"

# Keys Python writes that manifest.ts does not declare, by path ("*" is any key of a Record). The TypeScript side
# never reads them; they are records for people (MODEL_CARD.md, the training log). Add a key here only with a reason.
PYTHON_ONLY = {
    "": {"operators",        # ONNX operator types the graphs use (export.py prints them; checked by hand)
         "export"},          # externalize()'s sharing stats: unique tensors, bytes saved
    "decoding": {"maxLenRule"},  # the rule in words; src/engine implements it in code
    "training": {"world", "targetTokensSeen", "averaged"},  # DDP ranks, tokens seen, checkpoints averaged
    "scores.*.*": {"signatures",  # sacrebleu's signature strings (evaluate.score), shown in the model card
                   "seconds",     # engine time per set (evaluate.main)
                   "beam", "limit"},  # how the set was decoded (evaluate.main; --resume compares them)
}
# Keys of a Record whose value is not of the Record's value type: evaluate.main's "_how" beside the score sets.
# The webview skips keys that start with "_" (webview/companion/sections/results.ts, scoreRows).
PYTHON_ONLY_ENTRIES = {"scores": {"_how"}}
# Fields manifest.ts declares that Python never writes. None today.
TS_ONLY: dict = {}
# Optional fields (declared with ?) that Python writes only sometimes. Every other optional field must be written.
SOMETIMES = {"scores.*.*": {"bleuChar"}}  # character-level BLEU: for Korean targets only (evaluate.score)


# ------------------------------------------------------------------------------------------------
# A small parser for the TypeScript declarations: `interface X { a: T; b?: U }` and `type X = 'a' | 'b';`
# ------------------------------------------------------------------------------------------------

def _split_top(text: str, sep: str) -> list:
    """Splits text at sep where no (), [], {} or <> is open."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


_FIELD_RE = re.compile(r"(\w+)(\?)?\s*:\s*(\S.*)", re.S)


def parse_fields(body: str) -> dict:
    """'a: T; b?: U' -> {'a': (False, type of T), 'b': (True, type of U)}. Anything else is an error, so that the
    parser never skips a field silently."""
    fields = {}
    for part in _split_top(body, ";"):
        if not part.strip():
            continue
        m = _FIELD_RE.fullmatch(part.strip())
        if not m:
            raise ValueError(f"manifest.ts: cannot read the field declaration {part.strip()!r}")
        fields[m.group(1)] = (m.group(2) == "?", parse_type(m.group(3)))
    return fields


def parse_type(t: str):
    """('object', fields) | ('record', key type, value type) | ('array', element type) | ('name', X) | ('leaf', text)."""
    t = " ".join(t.split())
    if t.startswith("{") and t.endswith("}"):
        return ("object", parse_fields(t[1:-1]))
    m = re.fullmatch(r"Record<(.*)>", t)
    if m:
        key, value = _split_top(m.group(1), ",")
        return ("record", key.strip(), parse_type(value))
    if t.endswith("[]"):
        return ("array", parse_type(t[:-2]))
    if re.fullmatch(r"[A-Z]\w*", t):
        return ("name", t)
    return ("leaf", t)


def parse_declarations(text: str):
    """(interfaces {name: fields}, string-literal unions {name: set of strings}) of a TypeScript file."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    interfaces = {}
    for m in re.finditer(r"\binterface\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        interfaces[m.group(1)] = parse_fields(text[m.end():i - 1])
    unions = {}
    for m in re.finditer(r"\btype\s+(\w+)\s*=\s*([^;]+);", text):
        members = [s.strip() for s in m.group(2).split("|")]
        if all(re.fullmatch(r"'[^']*'", s) for s in members):
            unions[m.group(1)] = {s[1:-1] for s in members}
    return interfaces, unions


# ------------------------------------------------------------------------------------------------
# Comparing a written manifest with the declarations
# ------------------------------------------------------------------------------------------------

def compare(value, typ, interfaces: dict, unions: dict, path: str = "", pattern: str = "") -> list:
    """Differences between the keys of value and the declared type, as readable lines. path names the place
    (dims.vocab, graphs.encoder.inputs[0]); pattern is the same with "*" for Record keys (scores.*.*), as the
    allowlists use."""
    kind = typ[0]
    if kind == "name":
        if typ[1] in interfaces:
            return compare(value, ("object", interfaces[typ[1]]), interfaces, unions, path, pattern)
        return []  # a union of literals or another plain type: no keys to compare
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path or '(top)'}: manifest.ts declares a list, Python wrote {type(value).__name__}"]
        return [p for i, v in enumerate(value) for p in compare(v, typ[1], interfaces, unions, f"{path}[{i}]", pattern)]
    if kind == "record":
        if not isinstance(value, dict):
            return [f"{path}: manifest.ts declares an object (Record), Python wrote {type(value).__name__}"]
        key, problems = typ[1], []
        skip = PYTHON_ONLY_ENTRIES.get(pattern, set())
        if key in unions:
            if set(value) != unions[key]:
                problems.append(f"{path}: keys {sorted(value)}, manifest.ts says Record<{key}> = {sorted(unions[key])}")
        elif key != "string":
            raise ValueError(f"manifest.ts: {path}: Record key type {key!r} is neither string nor a union of literals")
        for k, v in value.items():
            if k not in skip:
                sub = f"{pattern}.*" if pattern else "*"
                problems += compare(v, typ[2], interfaces, unions, f"{path}.{k}" if path else k, sub)
        return problems
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: manifest.ts declares an object, Python wrote {type(value).__name__}"]
        declared = typ[1]
        extra = set(value) - set(declared) - PYTHON_ONLY.get(pattern, set())
        missing = {k for k, (optional, _) in declared.items() if k not in value
                   and not (optional and k in SOMETIMES.get(pattern, set()))} - TS_ONLY.get(pattern, set())
        problems = []
        if extra:
            problems.append(f"{path or '(top level)'}: Python writes {sorted(extra)}, which manifest.ts does not declare")
        if missing:
            problems.append(f"{path or '(top level)'}: manifest.ts declares {sorted(missing)}, which Python does not write")
        for k, (_, t) in declared.items():
            if k in value:
                problems += compare(value[k], t, interfaces, unions, f"{path}.{k}" if path else k,
                                    f"{pattern}.{k}" if pattern else k)
        return problems
    return []


def _tiny_run(folder: Path) -> None:
    """A run folder as train.py leaves it: tokenizer.model and model.pt (a random 2+1-layer model)."""
    corpus = folder / "corpus.txt"
    lines = ["The quick brown fox jumps over the lazy dog.", "A man in a blue shirt is standing on a ladder.",
             "Die Funktion gibt eine sortierte Liste zurück.", "Zwei Männer spielen Fußball auf einer grünen Wiese.",
             "이 함수는 정렬된 리스트를 반환합니다.", "오늘 날씨가 정말 좋네요.", "파란 셔츠를 입은 남자가 사다리 위에 서 있습니다."]
    corpus.write_text("".join(f"{l} {i}\n" for i in range(60) for l in lines), encoding="utf-8")
    vocab = 400  # 263 meta pieces (specials, tags, bytes), the characters, a few words
    tk.train_tokenizer(str(corpus), str(folder / "tokenizer"), vocab, character_coverage=1.0, num_threads=1)
    torch.manual_seed(0)
    cfg = ModelConfig(vocab_size=vocab, d_model=32, n_heads=2, d_ff=64, enc_layers=2, dec_layers=1, max_len=64)
    model = Transformer(cfg)
    torch.save({"model": model.state_dict(), "model_config": cfg.to_dict(), "config": "test", "step": 1,
                "minutes": 0.0, "device": "cpu x1", "averaged": [], "world": 1, "pairs": 4,
                "target_tokens_seen": 0}, folder / "model.pt")


def _tiny_pairs(folder: Path) -> Path:
    """A train.tsv of the corpus's sentences (source, lang, lang, text, text), for the vocabulary shortlists."""
    rows = [("t", "en", "de", "The quick brown fox jumps over the lazy dog.", "Zwei Männer spielen Fußball auf einer grünen Wiese."),
            ("t", "en", "ko", "A man in a blue shirt is standing on a ladder.", "파란 셔츠를 입은 남자가 사다리 위에 서 있습니다."),
            ("t", "en", "ko", "The list is sorted.", "이 함수는 정렬된 리스트를 반환합니다.")]
    path = folder / "train.tsv"
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


class ManifestKeysTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.interfaces, cls.unions = parse_declarations(MANIFEST_TS.read_text(encoding="utf-8"))
        cls.tmp = tempfile.TemporaryDirectory()
        run, out = Path(cls.tmp.name) / "run", Path(cls.tmp.name) / "ac-test"
        run.mkdir()
        _tiny_run(run)
        cls.manifest, _ = export_package(run, out, dtype="fp16", description="keys test", search_step=True,
                                         shortlist_data=_tiny_pairs(run))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def problems(self, manifest: dict, interfaces=None) -> list:
        interfaces = interfaces or self.interfaces
        return compare(manifest, ("name", "ModelManifest"), interfaces, self.unions)

    def test_parser_reads_the_interfaces_the_manifest_uses(self):
        for name in ("ModelManifest", "GraphSpec", "TensorSpec", "ScorePair", "FileDigest"):
            self.assertIn(name, self.interfaces)
        self.assertEqual(self.unions["Lang"], {"en", "ko", "de"})
        self.assertEqual(self.unions["GraphName"], {"encoder", "encoderAttn", "decoderStep", "decoderStepAttn"})
        dims = self.interfaces["ModelManifest"]["dims"][1]
        self.assertEqual(dims[0], "object")
        self.assertIn("dModel", dims[1])

    def test_exported_manifest_has_the_declared_fields(self):
        self.assertEqual(self.problems(self.manifest), [])

    def test_evaluate_scores_have_the_declared_fields(self):
        # evaluate.main stores score() per set and direction, adds "seconds", "beam" and "limit", and puts "_how"
        # beside the sets.
        ko = {**score(["안녕하세요 세계."], ["안녕하세요, 세계."], "ko"), "seconds": 0.1, "beam": 4, "limit": None}
        en = {**score(["Hello world."], ["Hello, world."], "en"), "seconds": 0.1, "beam": 4, "limit": 100}
        scores = {"flores200-devtest": {"en-ko": ko, "ko-en": en}, "_how": {"engine": "test", "beam": 4}}
        self.assertEqual(self.problems({**self.manifest, "scores": scores}), [])

    def test_a_field_renamed_on_either_side_is_caught(self):
        renamed = {**self.manifest, "dims": {("dmodel" if k == "dModel" else k): v for k, v in self.manifest["dims"].items()}}
        self.assertEqual(len(self.problems(renamed)), 2)  # dmodel not declared, dModel not written
        text = MANIFEST_TS.read_text(encoding="utf-8").replace("weightsDtype?:", "weightDtype?:")
        ts_renamed, _ = parse_declarations(text)
        self.assertEqual(len(self.problems(self.manifest, ts_renamed)), 2)
        text = MANIFEST_TS.read_text(encoding="utf-8").replace("interface FileDigest { sha256:", "interface FileDigest { sha:")
        ts_renamed, _ = parse_declarations(text)
        self.assertTrue(self.problems(self.manifest, ts_renamed))


if __name__ == "__main__":
    unittest.main()
