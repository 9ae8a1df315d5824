"""The model file's promises: the KV-cached step equals the full decoder, beam 1 is greedy, the export's graph contract."""
import tempfile
import unittest
from pathlib import Path

import torch

from models.training.model import ModelConfig, Transformer
from models.training.decode import beam_search, greedy_batch
from models.training.export import graph_specs, export_graph, externalize, to_fp16_storage
from models.training.train import collate, cooldown_factor, dev_losses, lr_at, time_cooldown_factor

CFG = ModelConfig(vocab_size=300, d_model=32, n_heads=2, d_ff=64, enc_layers=2, dec_layers=1, max_len=64)


class ModelTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.model = Transformer(CFG).eval()

    def test_dev_loss_per_direction_adds_up_to_the_whole(self):
        g = torch.Generator().manual_seed(1)
        rand = lambda n: torch.randint(4, 300, (n,), generator=g).tolist()
        ex = [(d, rand(3 + i % 9) + [2], rand(2 + i % 7)) for i, d in enumerate(["en-ko", "ko-en", "en-de"] * 6)]
        special = {"pad": 0, "bos": 1, "eos": 2}
        loss, by_direction = dev_losses(self.model, ex, special, torch.device("cpu"), max_tokens=60)
        self.assertEqual(sorted(by_direction), ["en-de", "en-ko", "ko-en"])
        # each direction alone gives its own figure; all together the token-weighted mean of them
        tokens = {}
        for d in by_direction:
            mine = [e for e in ex if e[0] == d]
            self.assertAlmostEqual(dev_losses(self.model, mine, special, torch.device("cpu"), max_tokens=60)[0], by_direction[d], places=4)
            tokens[d] = sum(len(e[2]) + 1 for e in mine)
        self.assertAlmostEqual(loss, sum(by_direction[d] * tokens[d] for d in tokens) / sum(tokens.values()), places=4)
        # and the whole as one batch computes it
        src, tin, tout = collate(ex, list(range(len(ex))), 0, 1, 2, torch.device("cpu"))
        self.model.eval()   # dev_losses leaves the model training, as train.py wants it
        with torch.no_grad():
            whole = torch.nn.functional.cross_entropy(self.model(src, tin).view(-1, 300), tout.view(-1), ignore_index=0)
        self.assertAlmostEqual(loss, whole.item(), places=4)

    def test_cached_steps_equal_full_decoder(self):
        src = torch.randint(4, 300, (2, 9))
        tgt = torch.randint(4, 300, (2, 6))
        with torch.no_grad():
            full = self.model(src, tgt)
            memory, _, _ = self.model.encode(src)
            ck, cv = self.model.cross_kv(memory)
            pk = pv = torch.zeros(1, 2, 2, 0, 16)
            for t in range(6):
                logits, pk, pv = self.model.decode_step(tgt[:, t:t + 1], pk, pv, ck, cv)
                self.assertLess((logits - full[:, t]).abs().max().item(), 1e-4)

    def test_beam_one_is_greedy(self):
        ids = [5, 10, 11, 12, 3]
        tokens, _, _ = beam_search(self.model, ids, 2, 3, beam=1)
        self.assertEqual(tokens, greedy_batch(self.model, torch.tensor([ids]), 2, 3, len(tokens) + 1)[0][:len(tokens)])

    def test_beam_four_scores_at_least_greedy(self):
        for seed in range(5):
            ids = torch.randint(7, 300, (6,), generator=torch.Generator().manual_seed(seed)).tolist() + [3]
            _, _, g = beam_search(self.model, ids, 2, 3, beam=1)
            _, _, b = beam_search(self.model, ids, 2, 3, beam=4)
            self.assertGreaterEqual(b, g - 1e-6)

    def test_schedule_peaks_at_warmup(self):
        self.assertAlmostEqual(lr_at(100, 100, 1e-3), 1e-3)
        self.assertLess(lr_at(50, 100, 1e-3), 1e-3)
        self.assertAlmostEqual(lr_at(400, 100, 1e-3), 5e-4)

    def test_cooldown_decays_linearly_to_zero_from_its_step(self):
        cfg = dict(cooldown_from=1000, cooldown_steps=400)
        self.assertEqual(cooldown_factor(900, cfg), 1.0)
        self.assertEqual(cooldown_factor(1000, cfg), 1.0)
        self.assertAlmostEqual(cooldown_factor(1100, cfg), 0.75)
        self.assertEqual(cooldown_factor(1400, cfg), 0.0)
        self.assertEqual(cooldown_factor(2000, cfg), 0.0)
        self.assertEqual(cooldown_factor(5000, {}), 1.0)

    def test_time_cooldown_decays_linearly_to_zero_as_the_budget_ends(self):
        self.assertEqual(time_cooldown_factor(600, 120), 1.0)
        self.assertEqual(time_cooldown_factor(120, 120), 1.0)
        self.assertAlmostEqual(time_cooldown_factor(30, 120), 0.25)
        self.assertEqual(time_cooldown_factor(-5, 120), 0.0)
        self.assertEqual(time_cooldown_factor(10, None), 1.0)

    def test_export_graphs_share_one_weights_file(self):
        import onnx
        with tempfile.TemporaryDirectory() as d:
            models = {}
            for name, spec in graph_specs(CFG).items():
                export_graph(self.model, name, spec, CFG, Path(d) / spec[0])
                models[name] = onnx.load(str(Path(d) / spec[0]))
                self.assertEqual([o.name for o in models[name].graph.output], spec[3])
            for m in models.values():
                to_fp16_storage(m.graph)
            stats = externalize(models, Path(d) / "weights.bin")
            # four graphs, one copy of the weights
            self.assertLess(stats["weights_bytes"], stats["bytes_if_not_shared"] / 2)


if __name__ == "__main__":
    unittest.main()
