"""Instructions per training step, counted by valgrind: a figure the shared machine's noise
cannot move (the same count on every run), to tell small engine changes apart.

    python bench/step_instructions.py            # 2-8-8-1 tanh, sigmoid + BCE, batch 10
    python bench/step_instructions.py --loss cross_entropy
    python bench/step_instructions.py --layers bn_dropout   # batch norm + dropout 0.2, each layer
    python bench/step_instructions.py --mnist [--layers bn_dropout]   # 784-128-64-10 relu, b64
    BENCH_ENGINE_ROOT=/path/to/old/checkout python bench/step_instructions.py

Runs the case twice under `valgrind --tool=callgrind` (100 and 1,100 steps, one BLAS thread,
a fixed hash seed) and prints the difference per step; ~20 s. Needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


MNIST = "--mnist" in sys.argv
LAYERS = {"plain": None, "bn_dropout": [{"norm": "batch", "dropout": 0.2}] * 2}


def steps(n: int, loss: str, root: str, layers: str = "plain") -> None:
    """The measured program: n session-path steps on 500 points (called in the child)."""
    sys.path.insert(0, root)
    import numpy as np

    from app.nn import MLP, make_optimizer

    rng = np.random.default_rng(0)
    kw = {"layers": LAYERS[layers]} if LAYERS[layers] else {}
    if MNIST:
        X = rng.random((640, 784), dtype=np.float32)
        y = rng.integers(0, 10, 640)
        net = MLP([784, 128, 64, 10], activation="relu", seed=0, **kw)
        batch = 64
    else:
        X = rng.uniform(-1, 1, (500, 2)).astype(np.float32)
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        sizes = [2, 8, 8, 1] if loss == "binary_cross_entropy" else [2, 8, 8, 2]
        net = MLP(sizes, activation="tanh", loss=loss, seed=0, **kw)
        batch = 10
    opt = make_optimizer("sgd", 0.03)
    X, y = net.check_inputs(X, y)
    batches = [(X[s : s + batch], y[s : s + batch]) for s in range(0, len(X), batch)]
    for k in range(n + 5):  # 5 warm-up steps allocate the workspace
        xb, yb = batches[k % len(batches)]
        net.train_step(xb, yb, opt, check=False)


def count(n: int, loss: str, root: str, layers: str = "plain") -> int:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    cmd += [__file__, "--child", str(n), "--loss", loss, "--layers", layers]
    cmd += ["--mnist"] if MNIST else []
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loss", default="binary_cross_entropy")
    parser.add_argument("--layers", default="plain", choices=list(LAYERS))
    parser.add_argument("--mnist", action="store_true", help="784-128-64-10 relu, batch 64")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = os.environ.get("BENCH_ENGINE_ROOT", str(ROOT))
    if args.child is not None:
        steps(args.child, args.loss, root, args.layers)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    few, many = (10, 60) if MNIST else (100, 1100)
    per_step = (
        count(many, args.loss, root, args.layers) - count(few, args.loss, root, args.layers)
    ) / (many - few)
    what = "784-128-64-10 relu, batch 64" if MNIST else f"{args.loss}, batch 10"
    print(f"{root}: {what}, {args.layers}: {per_step:,.0f} instructions per step")


if __name__ == "__main__":
    main()
