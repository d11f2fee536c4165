"""Layers of their own (issue 22): batch norm + dropout 0.2 on every hidden layer against
the plain net, us per step and their ratio, at 2-8-8-1 tanh BCE batch 10 (XOR on the page)
and 784-128-64-10 relu batch 64 (MNIST-sized). Target: <= 1.6x.

The peer is PyTorch (when installed): the same two nets built of nn.Linear, nn.BatchNorm1d
and nn.Dropout(0.2), trained by its autograd and SGD. Its own ratio tells what the layers
cost a framework with compiled kernels, and its BN + dropout step beside ours what a learner
would wait for elsewhere. The four sides are alternated with the order flipped every repeat;
each ratio is taken repeat by repeat, so both sides of it ran within a second.

Run as `python bench/layers.py` (`--quick` for fewer repeats); writes bench/results/layers.json.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
from engine import (
    MLP,
    QUICK,
    ROOT,
    blas_threads,
    make_optimizer,
    numpy_steps,
    torch,
    torch_steps,
)


def layers_case(sizes, activation, loss, batch, repeats, rng):
    """us/step of a plain net and the same net with batch norm + dropout 0.2 on every hidden
    layer, ours and PyTorch's, timed in alternation (the order flipped every repeat)."""
    X = rng.normal(size=(batch * 40, sizes[0])).astype(np.float32)
    classes = 2 if sizes[-1] == 1 else sizes[-1]
    y = (
        (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        if classes == 2
        else rng.integers(0, classes, len(X))
    )
    bn = [{"norm": "batch", "dropout": 0.2}] * (len(sizes) - 2)
    runners = {
        name: numpy_steps(
            MLP(sizes, activation=activation, loss=loss, seed=0, **kw),
            make_optimizer("sgd", 0.01),
            X,
            y,
            batch,
            check=False,
        )
        for name, kw in (("plain", {}), ("bn_dropout", {"layers": bn}))
    }
    if torch is not None:
        runners["torch_plain"] = torch_steps(sizes, activation, X, y, batch, 0.01)
        runners["torch_bn_dropout"] = torch_steps(sizes, activation, X, y, batch, 0.01, dropout=0.2)
        # One thread: PyTorch's idle OpenMP threads spin after each op and would take the CPU
        # from our side, timed next (OMP_WAIT_POLICY=passive makes each of its steps 2x
        # slower instead). Its own ratio is the figure here; its step beside ours is with
        # its one thread against NumPy's BLAS threads.
        torch.set_num_threads(1)
    for run in runners.values():  # warm-up: the workspaces
        run()
    times: dict[str, list[float]] = {k: [] for k in runners}
    for k in range(repeats):  # plain first, then batch norm first, ...
        for name in list(runners)[:: 1 if k % 2 == 0 else -1]:
            start = time.perf_counter()
            runners[name]()
            times[name].append(time.perf_counter() - start)
    steps = len(X) // batch
    out = {}
    for name, v in times.items():
        us = sorted(t / steps * 1e6 for t in v)
        out[f"{name}_us"], out[f"{name}_us_spread"] = statistics.median(us), [us[0], us[-1]]
    out["ratio"] = _ratio(times["bn_dropout"], times["plain"])
    if torch is not None:
        out["torch_ratio"] = _ratio(times["torch_bn_dropout"], times["torch_plain"])
        out["bn_dropout_vs_torch"] = _ratio(times["torch_bn_dropout"], times["bn_dropout"])
        torch.set_num_threads(blas_threads())
    return out


def _ratio(top: list[float], bottom: list[float]) -> dict:
    """top / bottom repeat by repeat: the median and the range."""
    r = sorted(a / b for a, b in zip(top, bottom, strict=True))
    return {"median": statistics.median(r), "low": r[0], "high": r[-1]}


LAYERS_CASES = (
    ([2, 8, 8, 1], "tanh", "binary_cross_entropy", 10),  # XOR on the page
    ([784, 128, 64, 10], "relu", "cross_entropy", 64),  # MNIST-sized
)


def _x(r: dict) -> str:
    return f"{r['median']:.2f}x ({r['low']:.2f}-{r['high']:.2f}x)"


def _us(e: dict, name: str) -> str:
    low, high = e[f"{name}_us_spread"]
    return f"{e[f'{name}_us']:,.1f} us ({low:,.1f}-{high:,.1f})"


def layers_report(results: dict, reps: int, rng) -> None:
    print("\n(e) batch norm + dropout 0.2 on every hidden layer vs the plain net, per step")
    if torch is None:
        print("  (PyTorch is not installed: its columns are skipped)")
    for sizes, act, loss, batch in LAYERS_CASES:
        name = "-".join(map(str, sizes))
        e = layers_case(sizes, act, loss, batch, reps * 2, rng)
        results[f"e_{name}_bn_dropout_batch{batch}"] = e
        print(
            f"  {name} batch {batch}: plain {_us(e, 'plain')}, bn+dropout "
            f"{_us(e, 'bn_dropout')}: {_x(e['ratio'])}, target <= 1.6x"
        )
        if torch is not None:
            print(
                f"    PyTorch {torch.__version__} (one thread): plain {_us(e, 'torch_plain')}, "
                f"bn+dropout {_us(e, 'torch_bn_dropout')}: its own ratio {_x(e['torch_ratio'])}; "
                f"our bn+dropout step is {_x(e['bn_dropout_vs_torch'])} quicker than its"
            )


def main() -> None:
    results: dict = {}
    layers_report(results, 5 if QUICK else 15, np.random.default_rng(0))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "layers.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'layers.json'}")


if __name__ == "__main__":
    main()
