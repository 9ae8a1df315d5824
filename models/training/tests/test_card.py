import unittest

from models.training.card import hardware


class HardwareTest(unittest.TestCase):
    def test_one_machine_kind_names_its_device(self):
        t = {"device": "cpu", "world": 2}
        self.assertEqual(hardware(t, [{"step": 100, "cpuHours": 1.0}]), "2 DDP ranks, each cpu")

    def test_a_gpu_continuation_after_cpu_ones_says_how_the_work_was_split(self):
        rows = [{"step": 100, "cpuHours": 1.0, "minutes": 60, "world": 2}, {"step": 250, "cpuHours": 2.5, "minutes": 60, "world": 2},
                {"step": 400, "cpuHours": 2.6, "minutes": 4.5, "device": "NVIDIA H200"}]
        self.assertEqual(hardware({"device": "NVIDIA H200", "world": 1}, rows),
                         "2 CPU cores (2 continuations, 2.5 CPU-hours) and NVIDIA H200 (1 continuation, 150 steps, 4.5 minutes)")


if __name__ == "__main__":
    unittest.main()
