"""Batching and where a resumed run goes on when the batch size changed between continuations."""
import random
import unittest

from models.training.train import make_batches, rescaled_position


def fake_examples(n: int, seed: int = 0):
    rng = random.Random(seed)
    return [("en-ko", [4] * rng.randint(3, 60), [5] * rng.randint(3, 60)) for _ in range(n)]


class BatchTests(unittest.TestCase):
    def test_batches_cover_every_example_once_within_the_token_bound(self):
        ex = fake_examples(3000)
        batches = make_batches(ex, 600, seed=3)
        seen = sorted(i for b in batches for i in b)
        self.assertEqual(seen, list(range(len(ex))))
        for b in batches:
            longest = max(max(len(ex[i][1]), len(ex[i][2]) + 1) for i in b)
            self.assertTrue(len(b) == 1 or longest * len(b) <= 600)

    def test_position_keeps_the_fraction_of_the_epoch(self):
        ex = fake_examples(3000)
        old = len(make_batches(ex, 1200, seed=5)) // 2
        new = len(make_batches(ex, 600, seed=5)) // 2
        self.assertGreater(new, old * 1.6)   # halving the batch roughly doubles the batches
        pos = rescaled_position(ex, old // 3, 1200, 600, seed=5, world=2)
        self.assertAlmostEqual(pos / new, (old // 3) / old, delta=0.01)
        self.assertEqual(rescaled_position(ex, 0, 1200, 600, seed=5, world=2), 0)
        self.assertEqual(rescaled_position(ex, old, 1200, 600, seed=5, world=2), new)


if __name__ == "__main__":
    unittest.main()
