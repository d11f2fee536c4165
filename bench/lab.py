"""The lab's cost: a network with a planted bug or a frozen/killed unit trains on the lab's
plain loop (app/nn/lab.py) instead of the fast engine; and each frame counts distinct units.

Run as `python bench/lab.py` (`--quick` for fewer repeats). The two sides are timed in
alternation, repeated; figures are medians with the min..max spread.

  (a) 2-8-8-2 tanh, softmax + cross-entropy, SGD, batch 10: us per step of the fast engine,
      of the lab with one unit frozen, and with a planted bug (no_batch_mean).
  (b) distinct_units of every hidden layer, as a frame computes it: 2-8-8-2 and 784-128-64-10.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.nn import MLP, make_optimizer  # noqa: E402
from app.nn.lab import plant, set_unit  # noqa: E402
from app.nn.symmetry import distinct_units  # noqa: E402


def per_step(net, X, y, opt, steps: int) -> float:
    t0 = time.perf_counter()
    for i in range(steps):
        j = (i * 10) % 500
        net.train_step(X[j : j + 10], y[j : j + 10], opt, check=False)
    return (time.perf_counter() - t0) / steps * 1e6


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):8.2f}  ({min(xs):.2f}..{max(xs):.2f})"


def main(quick: bool) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.intp)
    nets = {"fast engine": MLP([2, 8, 8, 2], seed=1)}
    nets["lab, 1 unit frozen"] = set_unit(MLP([2, 8, 8, 2], seed=1), "frozen", 1, 0, True)
    nets["lab, bug planted"] = plant(MLP([2, 8, 8, 2], seed=1), "no_batch_mean")
    opts = {k: make_optimizer("sgd", learning_rate=0.03) for k in nets}
    times: dict[str, list[float]] = {k: [] for k in nets}
    repeats, steps = (5, 2000) if quick else (15, 5000)
    for k in nets:  # warm-up
        per_step(nets[k], X, y, opts[k], 200)
    for _ in range(repeats):
        for k in nets:  # alternate the sides every repeat
            times[k].append(per_step(nets[k], X, y, opts[k], steps))
    print("(a) 2-8-8-2 tanh, batch 10, SGD: us per step, median (min..max)")
    for k, v in times.items():
        print(f"    {k:22s} {spread(v)}")
    print("(b) distinct units of every hidden layer, per frame: us, median (min..max)")
    for sizes in ([2, 8, 8, 2], [784, 128, 64, 10]):
        net = MLP(sizes, seed=0)
        blocks = net.params.blocks[:-1]
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(200):
                for Wb in blocks:
                    distinct_units(Wb)
            runs.append((time.perf_counter() - t0) / 200 * 1e6)
        print(f"    {'-'.join(map(str, sizes)):22s} {spread(runs)}")


if __name__ == "__main__":
    main("--quick" in sys.argv)
