"""Unit test for models/training/tokenizer.py: trains a tiny model in seconds and checks the export."""
# Run: .venv/bin/python -m unittest models.training.tests.test_tokenizer
import json
import os
import tempfile
import unittest

from models.training import tokenizer as tk

# Small but varied: three languages, digits, and the characters byte fallback must cover.
_LINES = [
    'The quick brown fox jumps over the lazy dog.',
    'A man in a blue shirt is standing on a ladder.',
    'This function returns a sorted copy of the list.',
    'Die Funktion gibt eine sortierte Liste zurück.',
    'Zwei Männer spielen Fußball auf einer grünen Wiese.',
    'Ich hätte gern ein Stück Käse, bitte.',
    '이 함수는 정렬된 리스트를 반환합니다.',
    '오늘 날씨가 정말 좋네요.',
    '파란 셔츠를 입은 남자가 사다리 위에 서 있습니다.',
    'Version 3.14 costs 1,000 won; 2024-01-15.',
]


class TokenizerTrainingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        corpus = os.path.join(cls.tmp.name, 'corpus.txt')
        with open(corpus, 'w', encoding='utf-8') as f:
            # Repeat with numbering so the unigram trainer has enough distinct sentences.
            for i in range(60):
                for line in _LINES:
                    f.write(f'{line} {i}\n')
        # 263 of these are meta pieces (4 specials, 3 tags, 256 bytes) and ~95 are characters.
        cls.vocab = 400
        cls.model = tk.train_tokenizer(corpus, os.path.join(cls.tmp.name, 'tok'), cls.vocab,
                                       character_coverage=1.0, num_threads=1)
        cls.json_file = os.path.join(cls.tmp.name, 'tok.json')
        cls.exported = tk.export_json(cls.model, cls.json_file)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_tags_have_ids_4_5_6(self):
        pieces = self.exported['pieces']
        self.assertEqual([p[0] for p in pieces[4:7]], ['<2en>', '<2ko>', '<2de>'])
        self.assertEqual({p[2] for p in pieces[4:7]}, {tk.USER_DEFINED})

    def test_json_matches_the_model(self):
        with open(self.json_file, encoding='utf-8') as f:
            data = json.load(f)
        self.assertEqual(len(data['pieces']), self.vocab)
        self.assertEqual((data['padId'], data['unkId'], data['bosId'], data['eosId']), (0, 1, 2, 3))
        self.assertEqual([p[2] for p in data['pieces'][:4]], [tk.CONTROL, tk.UNKNOWN, tk.CONTROL, tk.CONTROL])
        self.assertTrue(data['byteFallback'] and data['addDummyPrefix'] and data['removeExtraWhitespaces'])
        self.assertEqual(data['normalization'], 'identity')
        # byte_fallback: all 256 byte pieces, in order.
        byte_pieces = [p[0] for p in data['pieces'] if p[2] == tk.BYTE]
        self.assertEqual(byte_pieces, ['<0x%02X>' % b for b in range(256)])

    def test_processor_fallback_agrees_with_protobuf(self):
        # The fallback path (no protobuf module) must infer the same piece types.
        from_proto, _ = tk._pieces_from_proto(self.model)
        from_proc, _ = tk._pieces_from_processor(self.model)
        self.assertEqual([p[2] for p in from_proto], [p[2] for p in from_proc])

    def test_golden_lines(self):
        out = os.path.join(self.tmp.name, 'golden.jsonl')
        count = tk.write_golden(self.model, out, n=1000)
        with open(out, encoding='utf-8') as f:
            lines = [json.loads(l) for l in f]
        self.assertEqual(len(lines), count)
        self.assertGreaterEqual(count, 1000)
        self.assertEqual(lines[0], {'text': '', 'ids': [], 'pieces': [], 'decoded': ''})
        for rec in lines:
            self.assertEqual(len(rec['ids']), len(rec['pieces']))
        # Rare characters fall back to bytes rather than <unk>.
        self.assertFalse(any(1 in rec['ids'] for rec in lines))
        # Deterministic: the same strings every run.
        self.assertEqual(tk.golden_texts(n=1000), tk.golden_texts(n=1000))


if __name__ == '__main__':
    unittest.main()
