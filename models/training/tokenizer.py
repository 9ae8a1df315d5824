"""SentencePiece tokenizer for the en/ko/de model: train it, export tokenizer.json for TypeScript, write the golden file."""
# Run with the pipeline's environment (scripts/ensure-python.sh makes .venv):
#   .venv/bin/python -m models.training.tokenizer train  --input build/data/spm.txt --prefix build/tok/tokenizer --vocab 8000
#   .venv/bin/python -m models.training.tokenizer json   --model build/tok/tokenizer.model --out build/tok/tokenizer.json
#   .venv/bin/python -m models.training.tokenizer golden --model build/tok/tokenizer.model \
#       --out test/fixtures/tokenizer-golden.jsonl --texts a.txt b.txt
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from typing import Iterable, List, Optional, Sequence

import sentencepiece as spm

# Language tags prepended to the source sentence; they must get ids 4, 5, 6 (right after the
# four special ids) because the model code hard-wires them.
LANG_TAGS = ['<2en>', '<2ko>', '<2de>']
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3

# Piece types as in sentencepiece_model.proto (ModelProto.SentencePiece.Type).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6

# 0.9999 rather than 1.0: on the dev corpus (17M characters) 1.0 keeps 1551 distinct characters
# as pieces, 342 of them seen at most twice (stray CJK, Cyrillic, Arabic, box drawing...);
# 0.9999 keeps 970 (every character seen >= ~10 times, all common Hangul included) and frees
# ~580 vocabulary slots for real subwords.  The dropped characters are not lost: byte_fallback
# encodes them as their UTF-8 bytes.
DEFAULT_CHARACTER_COVERAGE = 0.9999


def hangul_syllables(text_file: str, min_count: int = 2) -> str:
    """Every Hangul syllable seen at least min_count times in text_file, as one string (for required_chars).
    Coverage alone would drop rarer everyday syllables (with 0.9995, 돈 fell back to three byte pieces)."""
    counts: dict[str, int] = {}
    with open(text_file, encoding='utf-8') as f:
        for line in f:
            for ch in line:
                if '\uac00' <= ch <= '\ud7a3':
                    counts[ch] = counts.get(ch, 0) + 1
    return ''.join(sorted(c for c, n in counts.items() if n >= min_count))


def train_tokenizer(text_file: str, out_prefix: str, vocab_size: int,
                    input_sentence_size: int = 2_000_000,
                    character_coverage: float = DEFAULT_CHARACTER_COVERAGE,
                    num_threads: int = 2, seed: int = 17, required_hangul: bool = True) -> str:
    """Trains the unigram model; returns the path of the .model file (out_prefix + '.model').
    required_hangul: every Hangul syllable seen twice in the text is a piece, whatever the coverage."""
    out_dir = os.path.dirname(out_prefix)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    # Sentence sampling (input_sentence_size) is random: seed it so reruns give the same model.
    spm.set_random_generator_seed(seed)
    spm.SentencePieceTrainer.train(
        input=text_file,
        model_prefix=out_prefix,
        model_type='unigram',
        vocab_size=vocab_size,
        normalization_rule_name='identity',
        byte_fallback=True,
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        character_coverage=character_coverage,
        required_chars=hangul_syllables(text_file) if required_hangul else '',
        user_defined_symbols=LANG_TAGS,
        pad_id=PAD_ID, unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID,
        split_digits=True,
        num_threads=num_threads,
        input_sentence_size=input_sentence_size,
        shuffle_input_sentence=True,
        # Documentation paragraphs are long lines; the default (4192 bytes) silently drops them.
        max_sentence_length=65536,
        # Training must not depend on a self-test sample of the input.
        self_test_sample_size=0,
        minloglevel=1,
    )
    model_file = out_prefix + '.model'
    sp = spm.SentencePieceProcessor(model_file=model_file)
    ids = [sp.piece_to_id(t) for t in LANG_TAGS]
    if ids != [4, 5, 6]:
        raise RuntimeError(f'language tags got ids {ids}, expected [4, 5, 6]')
    return model_file


def _pieces_from_proto(model_file: str):
    """[(piece, score, type)] and the normalizer spec, read from the protobuf (exact types)."""
    from sentencepiece import sentencepiece_model_pb2 as pb  # type: ignore
    proto = pb.ModelProto()
    with open(model_file, 'rb') as f:
        proto.ParseFromString(f.read())
    pieces = [(p.piece, float(p.score), int(p.type) or NORMAL) for p in proto.pieces]
    ns = proto.normalizer_spec
    ts = proto.trainer_spec
    spec = {
        'normalization': ns.name or 'identity',
        'addDummyPrefix': bool(ns.add_dummy_prefix),
        'removeExtraWhitespaces': bool(ns.remove_extra_whitespaces),
        'escapeWhitespaces': bool(ns.escape_whitespaces),
        'byteFallback': bool(ts.byte_fallback),
        'charsmapEmpty': len(ns.precompiled_charsmap) == 0,
        'modelType': int(ts.model_type),
    }
    return pieces, spec


def _pieces_from_processor(model_file: str):
    """Fallback when sentencepiece_model_pb2 (protobuf) is unavailable: infer the types."""
    sp = spm.SentencePieceProcessor(model_file=model_file)
    pieces = []
    user_defined = set(LANG_TAGS)
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if sp.is_unknown(i):
            t = UNKNOWN
        elif sp.is_control(i):
            t = CONTROL
        elif sp.is_byte(i):
            t = BYTE
        elif sp.is_unused(i):
            t = UNUSED
        elif piece in user_defined:
            t = USER_DEFINED
        else:
            t = NORMAL
        pieces.append((piece, float(sp.get_score(i)), t))
    spec = {'normalization': 'identity', 'addDummyPrefix': True, 'removeExtraWhitespaces': True,
            'escapeWhitespaces': True, 'byteFallback': True, 'charsmapEmpty': True, 'modelType': 1}
    return pieces, spec


def export_json(model_file: str, json_file: str) -> dict:
    """Writes tokenizer.json (see ARCHITECTURE.md "Tokenizer") and returns it."""
    try:
        pieces, spec = _pieces_from_proto(model_file)
    except ImportError:
        pieces, spec = _pieces_from_processor(model_file)
    # The TypeScript tokenizer only implements this configuration; refuse to export anything else
    # rather than ship a tokenizer.json that would silently encode differently.
    if spec['modelType'] != 1:
        raise ValueError('only unigram models are supported')
    if not spec['charsmapEmpty']:
        raise ValueError(f"normalization {spec['normalization']!r} has a charsmap; only identity is supported")

    def find(t: int) -> int:
        return next((i for i, p in enumerate(pieces) if p[2] == t), -1)

    sp = spm.SentencePieceProcessor(model_file=model_file)
    out = {
        'version': 1,
        'model': 'unigram',
        'pieces': [[p, s, t] for (p, s, t) in pieces],
        'unkId': find(UNKNOWN),
        'bosId': sp.bos_id(),
        'eosId': sp.eos_id(),
        'padId': sp.pad_id(),
        'byteFallback': spec['byteFallback'],
        'addDummyPrefix': spec['addDummyPrefix'],
        'removeExtraWhitespaces': spec['removeExtraWhitespaces'],
        'escapeWhitespaces': spec['escapeWhitespaces'],
        'normalization': 'identity',
    }
    out_dir = os.path.dirname(json_file)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(json_file, 'w', encoding='utf-8') as f:
        # Scores are float32 values; Python's repr of the widened double round-trips exactly.
        json.dump(out, f, ensure_ascii=False, separators=(',', ':'))
        f.write('\n')
    return out


# ---------------------------------------------------------------------------------------------
# Golden test strings: the TypeScript tokenizer must reproduce spm on every one of them.

_BUILTIN_KO = [
    '안녕하세요, 만나서 반갑습니다.',
    '이 함수는 리스트를 정렬하여 새로운 리스트를 반환합니다.',
    '오늘 날씨가 정말 좋네요!',
    '파이썬은 배우기 쉽고 강력한 프로그래밍 언어입니다.',
    '모델의 어텐션 가중치를 시각화할 수 있습니다.',
    '서울특별시 종로구 세종대로 209',
    '저는 학생이 아니라 선생님이에요.',
    '딥러닝 모델은 많은 데이터가 필요합니다.',
    '회의는 오후 3시 30분에 시작합니다.',
    '이것은 테스트 문장입니다.',
    '한국어 형태소 분석기는 띄어쓰기에 민감합니다.',
    '괜찮아요? 네, 괜찮습니다.',
    '“인용 부호”와 『책 제목』과 「소제목」을 사용합니다.',
    '값이 None이면 기본값을 사용합니다.',
    '똠방각하 뷁 쀍 햏 꽑',
]
_BUILTIN_DE = [
    'Guten Morgen, wie geht es Ihnen?',
    'Die Funktion gibt eine sortierte Liste zurück.',
    'Straße, Größe, Übermäßig, Ärger, Öl.',
    'Ich hätte gern ein Stück Käse.',
    'Das Modell übersetzt zwischen Englisch, Koreanisch und Deutsch.',
    '„Anführungszeichen“ und »Guillemets« sind üblich.',
    'Donaudampfschifffahrtsgesellschaftskapitänsmütze',
    'Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz',
    'Er sagte: „Wir sehen uns um 18:30 Uhr.“',
    'Die Kosten betragen 1.234,56 € inkl. MwSt.',
    'Bitte beachten Sie die Hinweise auf S. 12 ff.',
    'Zwei Männer spielen Fußball auf einer grünen Wiese.',
]
_BUILTIN_EN = [
    'Hello, world!',
    'The quick brown fox jumps over the lazy dog.',
    'This function returns a sorted copy of the list.',
    "Don't panic; it's only a test.",
    'Attention is all you need.',
    'A man in a blue shirt is standing on a ladder.',
    'supercalifragilisticexpialidocious',
    'pneumonoultramicroscopicsilicovolcanoconiosis',
    'See https://example.com/path/to/page?query=1&lang=ko#section-2 for details.',
    'Email me at someone.name+tag@example.org.',
    'def foo(x: int) -> list[str]: return [str(x)] * 3',
    'const x = arr.map((v, i) => v * i).filter(Boolean);',
    '`code span` and **bold** and _italic_ and [link](http://a.b).',
]
_BUILTIN_EDGE = [
    # empty and whitespace only
    '', ' ', '  ', '\t', '\n', '\r\n', '   \t  ', '\u3000', '\u00a0', ' \u00a0 ',
    # whitespace runs and positions
    '  leading spaces', 'trailing spaces   ', '  both  ', 'many     spaces     inside',
    'tab\tseparated\tvalues', '\tleading tab', 'trailing tab\t', 'a \t b', 'a\t \tb',
    'line one\nline two', 'line one\n\nline three', 'windows\r\nline', '\nleading newline',
    'trailing newline\n', 'ideographic\u3000space', '\u3000\u3000전각 공백', '한국어\u3000문장',
    'no\u00a0break\u00a0space', '\u00a0leading nbsp', 'trailing nbsp\u00a0',
    'em\u2003space and thin\u2009space', 'zero\u200bwidth\u200bspace', '\ufeffBOM at start',
    'narrow\u202fnbsp', 'line\u2028separator', 'next\u0085line', 'vertical\x0btab', 'form\x0cfeed',
    ' x ', '  x  y  ', 'x' + ' ' * 40 + 'y',
    # digits and numbers
    '3.14', '3.14159265358979', '1,000,000', '1.000.000', '0.0001', '1e-5', '-42', '+49 30 1234567',
    '2024-01-15', '12:30:45', 'v1.2.3', '100%', '$5.99', '€12,50', '₩10,000', '1/2', '½ ¾',
    '123456789012345678901234567890', '0x1F600', '١٢٣ ٤٥٦', '１２３ 全角数字', '²³ ⁴',
    # punctuation and symbols
    '...', '…', '?!', '!!!', '---', '—', '–', '(a) [b] {c} <d>', '@#$%^&*', '\\', '/', '|',
    '"quoted"', "'single'", '«Guten Tag»', '《书名》', '、。・', '~`', '•', '→ ← ↑ ↓', '©®™',
    '<html><body>text</body></html>', 'a_b-c.d', '#include <stdio.h>', '```python',
    # emoji, ZWJ sequences, flags, keycaps, skin tones
    '😀', '😀😃😄', '👍🏽', '👨‍👩‍👧‍👦', '🧑‍💻 coding', '🏳️‍🌈', '🏴‍☠️', '🇰🇷🇩🇪🇺🇸', '🇰🇷 대한민국',
    '❤️', '#️⃣ 1️⃣', 'I ❤️ NY 🗽', 'emoji🎉inside', '🤷‍♀️', '👩🏾‍🔬',
    # characters surely not in the vocabulary
    '龘', '齉龘', '𠀀𠀁𠀂', '𪚥 is a rare CJK character', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𝕏', '∮ E⋅da = Q', 'ℵ₀ ∀x∈ℝ ∃y',
    '∑∏∫∂∇', 'ᄀᄁᄂ', '\u1100\u1161\u11a8', 'ㄱㄴㄷㄹ', 'ㅋㅋㅋ', 'ㅠㅠ', 'e\u0301', '\u0301',
    'नमस्ते', 'สวัสดี', 'مرحبا بالعالم', 'שלום', 'Привет, мир', 'Γειά σου', 'ሰላም', '𓀀𓀁',
    '🀄', 'ꙮ', '\ue000 private use', '\uffff', '\ufffd', '\x01\x02', '\x7f', 'a\x00b',
    # mixed scripts
    'Das ist ein Test, 이것은 테스트입니다, this is a test.',
    'Python의 list는 mutable합니다.', 'GPU 메모리가 부족합니다 (CUDA out of memory).',
    'Die API gibt JSON zurück: {"ok": true}', '서울Seoul베를린Berlin', '한글English혼합Deutsch',
    # language tags and special-looking strings inside text
    '<2ko>', '<2en>', '<2de>', '<2ko> Hello', '<2de>안녕하세요', 'Translate<2de>this', '<2en><2ko>',
    'x <2de> y', '<<2ko>>', '<2k', '2ko>', '<2KO>', '<2ko', ' <2en> ', '<2ko>\t<2en>',
    '<s>', '</s>', '<pad>', '<unk>', '<0x41>', '<0xE4>', 'text <s> more </s>',
    # the escape character itself
    '\u2581', 'a\u2581b', '\u2581leading', 'trailing\u2581', 'a \u2581 b', '\u2581\u2581',
    # very long words and repetitions
    'a' * 300, 'ab' * 200, '안' * 150, '가나다라' * 40, '1234567890' * 20, 'x' * 1000,
    'Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnung',
    'hippopotomonstrosesquippedaliophobia' * 3, '😀' * 50, '龘' * 30,
]


def _read_lines(path: str, limit_bytes: int = 50_000_000) -> List[str]:
    lines: List[str] = []
    with open(path, encoding='utf-8', errors='replace') as f:
        data = f.read(limit_bytes)
    for line in data.split('\n'):
        line = line.strip('\r')
        if line.strip():
            lines.append(line)
    return lines


def _variants(rng: random.Random, line: str) -> str:
    """A perturbed copy of a line: whitespace runs, tags, odd characters at the edges."""
    ops = [
        lambda s: '  ' + s + '  ',
        lambda s: s.replace(' ', '   '),
        lambda s: s.replace(' ', '\t', 1),
        lambda s: '<2' + rng.choice(['en', 'ko', 'de']) + '> ' + s,
        lambda s: s + ' 😀',
        lambda s: s.replace(' ', '\u3000', 1),
        lambda s: s.replace(' ', '\u00a0', 1),
        lambda s: s + ' 龘𠀀',
        lambda s: s.upper(),
        lambda s: s[: max(1, len(s) // 2)],
        lambda s: s + '\n' + s,
        lambda s: ''.join(c for c in s if c != ' '),
    ]
    return rng.choice(ops)(line)


def golden_texts(texts: Sequence[str] = (), n: int = 1200, seed: int = 1234) -> List[str]:
    """Deterministic list of at least n test strings (built-in edge cases + sampled lines)."""
    rng = random.Random(seed)
    out: List[str] = []
    seen = set()

    def add(s: str) -> None:
        if s not in seen:
            seen.add(s)
            out.append(s)

    for s in _BUILTIN_EDGE + _BUILTIN_KO + _BUILTIN_DE + _BUILTIN_EN:
        add(s)
    pools: List[List[str]] = []
    for path in texts:
        lines = _read_lines(path)
        if lines:
            pools.append(lines)
    if not pools:
        pools = [_BUILTIN_KO, _BUILTIN_DE, _BUILTIN_EN]
    # Sample lines from every file in turn so each language is represented equally.
    want = max(n, len(out) + 200)
    builtin_count = len(out)
    per_pool = (want - builtin_count) * 3 // 4 // len(pools) + 1
    for pool in pools:
        picks = rng.sample(range(len(pool)), min(per_pool, len(pool)))
        for i in sorted(picks):
            add(pool[i])
    # Perturbed copies of sampled lines, and mixes of two languages.
    guard = 0
    while len(out) < want and guard < want * 20:
        guard += 1
        pool = pools[rng.randrange(len(pools))]
        line = pool[rng.randrange(len(pool))]
        if rng.random() < 0.2 and len(pools) > 1:
            other = pools[rng.randrange(len(pools))]
            add(line + ' ' + other[rng.randrange(len(other))])
        else:
            add(_variants(rng, line))
    return out


def write_golden(model_file: str, out_jsonl: str, texts: Sequence[str] = (), n: int = 1200) -> int:
    """Writes one JSON line per test string: text, ids, pieces (spm, no bos/eos), decoded."""
    if n < 1000:
        raise ValueError('the golden file needs at least 1000 strings')
    sp = spm.SentencePieceProcessor(model_file=model_file)
    strings = golden_texts(texts, n)
    out_dir = os.path.dirname(out_jsonl)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(out_jsonl, 'w', encoding='utf-8') as f:
        for text in strings:
            ids = sp.encode(text, out_type=int)
            pieces = sp.encode(text, out_type=str)
            rec = {'text': text, 'ids': ids, 'pieces': pieces, 'decoded': sp.decode(ids)}
            f.write(json.dumps(rec, ensure_ascii=False) + '\n')
    return len(strings)


def main(argv: Optional[Iterable[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog='python3 -m models.training.tokenizer', description=__doc__)
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('train', help='train the SentencePiece model')
    t.add_argument('--input', required=True)
    t.add_argument('--prefix', required=True)
    t.add_argument('--vocab', type=int, default=8000)
    t.add_argument('--input-sentence-size', type=int, default=2_000_000)
    t.add_argument('--character-coverage', type=float, default=DEFAULT_CHARACTER_COVERAGE)
    t.add_argument('--threads', type=int, default=2)
    t.add_argument('--json', action='store_true', help='also write <prefix>.json')
    j = sub.add_parser('json', help='export tokenizer.json for the TypeScript tokenizer')
    j.add_argument('--model', required=True)
    j.add_argument('--out', required=True)
    g = sub.add_parser('golden', help='write the golden JSONL the TypeScript tests compare against')
    g.add_argument('--model', required=True)
    g.add_argument('--out', required=True)
    g.add_argument('--texts', nargs='*', default=[])
    g.add_argument('-n', type=int, default=1200)
    args = ap.parse_args(list(argv) if argv is not None else None)

    if args.cmd == 'train':
        model = train_tokenizer(args.input, args.prefix, args.vocab, args.input_sentence_size,
                                character_coverage=args.character_coverage, num_threads=args.threads)
        print(model)
        if args.json:
            export_json(model, args.prefix + '.json')
            print(args.prefix + '.json')
    elif args.cmd == 'json':
        out = export_json(args.model, args.out)
        print(f"{args.out}: {len(out['pieces'])} pieces")
    elif args.cmd == 'golden':
        count = write_golden(args.model, args.out, args.texts, args.n)
        print(f'{args.out}: {count} strings')
    return 0


if __name__ == '__main__':
    sys.exit(main())
