import json
import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace

from models.training.continuation import log_row


class LogRowTest(unittest.TestCase):
    def row(self, minutes_budget, events):
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "log.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
            args = SimpleNamespace(minutes=minutes_budget, config="cpu", world=2, from_run=None)
            meta = {"step": 200, "cpu_seconds": 7200, "target_tokens_seen": 500}
            return log_row(args, Path(d), meta, {"mean": 1.0}, None, None, "why")

    def test_a_continuation_that_stops_at_lr_zero_logs_the_minutes_it_trained_not_its_budget(self):
        events = [{"event": "data", "target_tokens": 1000}, {"event": "resume_from_package", "minutes": 100.0},
                  {"step": 150, "tok_per_s": 10}, {"event": "done", "minutes": 168.36, "dev_loss": 2.3}]
        self.assertEqual(self.row(95, events)["minutes"], 68.36)

    def test_a_first_run_without_a_resume_logs_its_budget(self):
        events = [{"event": "data", "target_tokens": 1000}, {"event": "done", "minutes": 30.5, "dev_loss": 2.3}]
        self.assertEqual(self.row(30, events)["minutes"], 30)


if __name__ == "__main__":
    unittest.main()
