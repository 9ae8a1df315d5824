"""How malloc settings cost a training process on this machine (train.py's TRAIN_ENV and bound_heap_growth): 1,500
float32 tensors of 64 KB-64 MB (log-uniform, as a training step's ever-different batch shapes), each allocated and
filled, six kept at a time; one thread. Prints wall and kernel time, page faults and peak RSS for one setting; run
each setting in its own process, the huge-page one with the tunable set before Python starts:

  for m in default 128k 4m; do .venv/bin/python -m models.training.bench_malloc $m; done
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1 .venv/bin/python -m models.training.bench_malloc 4m     # what training uses
"""
from __future__ import annotations

import ctypes
import random
import resource
import sys
import time

SETTINGS = {                      # (M_TRIM_THRESHOLD, M_MMAP_THRESHOLD), or None for glibc's dynamic default
    "default": None,
    "128k": (131072, 131072),      # the fixed thresholds train.py used before
    "4m": (256 << 20, 4 << 20),    # train.py's bound_heap_growth now
}


def main(argv=None) -> None:
    mode = (argv or sys.argv[1:] or ["4m"])[0]
    if mode not in SETTINGS:
        raise SystemExit(f"setting must be one of {', '.join(SETTINGS)}, not {mode!r}")
    if SETTINGS[mode]:
        libc = ctypes.CDLL("libc.so.6")
        trim, mmap = SETTINGS[mode]
        libc.mallopt(-1, trim)
        libc.mallopt(-3, mmap)
    import torch
    torch.set_num_threads(1)
    rng = random.Random(1)
    t0, r0 = time.time(), resource.getrusage(resource.RUSAGE_SELF)
    keep = []
    for _ in range(1500):
        x = torch.empty(int(2 ** rng.uniform(14, 24))).fill_(1.0)
        keep.append(x)
        if len(keep) > 6:
            keep.pop(rng.randrange(len(keep)))
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{mode}: wall {time.time() - t0:.2f} s, kernel {r1.ru_stime - r0.ru_stime:.2f} s, page faults "
          f"{r1.ru_minflt - r0.ru_minflt:,}, peak RSS {r1.ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
