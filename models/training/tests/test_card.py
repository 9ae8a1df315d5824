import unittest

from models.training.card import hardware, log_table


class HardwareTest(unittest.TestCase):
    def test_one_machine_kind_names_its_device(self):
        t = {"device": "cpu", "world": 2}
        self.assertEqual(hardware(t, [{"step": 100, "cpuHours": 1.0}]), "2 DDP ranks, each cpu")

    def test_a_gpu_continuation_after_cpu_ones_says_how_the_work_was_split(self):
        rows = [{"step": 100, "cpuHours": 1.0, "minutes": 60, "world": 2}, {"step": 250, "cpuHours": 2.5, "minutes": 60, "world": 2},
                {"step": 400, "cpuHours": 2.6, "minutes": 4.5, "device": "NVIDIA H200"}]
        self.assertEqual(hardware({"device": "NVIDIA H200", "world": 1}, rows),
                         "2 CPU cores (2 continuations, 2.5 CPU-hours) and NVIDIA H200 (1 continuation, 150 steps, 4.5 minutes)")


class LogTableTest(unittest.TestCase):
    def test_the_delimiter_row_has_as_many_cells_as_the_header(self):
        # GitHub does not draw a table whose delimiter row is one cell short (the cards up to ac-cpu-v23 were)
        rows = [{"date": "2026-12-04T17:00", "minutes": 8, "cpuHours": 1.0, "step": 400, "targetTokens": 1000, "epochs": 0.1,
                 "devLoss": 2.35, "devChrf": {"en-ko": 52.9, "ko-en": 59.7, "mean": 56.3}, "shipped": "ac-cpu-v24"}]
        header, delimiter, row = log_table(rows).splitlines()
        self.assertEqual(header.count("|"), delimiter.count("|"))
        self.assertEqual(header.count("|"), row.count("|"))


if __name__ == "__main__":
    unittest.main()
