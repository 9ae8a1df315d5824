"""Batching and where a resumed run goes on when the batch size changed between continuations."""
import random
import unittest

from models.training.train import make_batches, rescaled_position, share_of


def fake_examples(n: int, seed: int = 0, directions=("en-ko",)):
    rng = random.Random(seed)
    return [(directions[i % len(directions)], [4] * rng.randint(3, 60), [5] * rng.randint(3, 60)) for i in range(n)]


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

    def test_a_share_keeps_that_part_of_a_language_each_epoch_and_another_part_the_next(self):
        ex = fake_examples(4000, directions=("en-ko", "ko-en", "en-de", "de-en"))
        self.assertEqual(share_of("de-en", {"de": 0.25}), 0.25)
        self.assertEqual(share_of("en-ko", {"de": 0.25}), 1.0)
        # no share: the same batches as before shares existed (a resumed epoch goes on where it was)
        self.assertEqual(make_batches(ex, 600, seed=7), make_batches(ex, 600, seed=7, share={}))
        kept = {}
        for seed in (7, 8):
            ids = [i for b in make_batches(ex, 600, seed=seed, share={"de": 0.25}) for i in b]
            self.assertEqual(len(ids), len(set(ids)))
            de = [i for i in ids if "de" in ex[i][0]]
            self.assertEqual(len(ids) - len(de), 2000)            # every Korean example
            self.assertAlmostEqual(len(de) / 2000, 0.25, delta=0.04)
            kept[seed] = set(de)
        self.assertLess(len(kept[7] & kept[8]), 0.5 * len(kept[7]))   # another draw each epoch
        # a run resumed with a share goes on at the same fraction of its epoch
        old = len(make_batches(ex, 600, seed=7)) // 2
        new = len(make_batches(ex, 600, seed=7, share={"de": 0.25})) // 2
        pos = rescaled_position(ex, old // 2, 600, 600, seed=7, world=2, new_share={"de": 0.25})
        self.assertAlmostEqual(pos / new, 0.5, delta=0.01)


if __name__ == "__main__":
    unittest.main()
