"""Layers of their own (issue 22): batch norm + dropout 0.2 on every hidden layer against
the plain net, us per step and their ratio, at 2-8-8-1 tanh BCE batch 10 (XOR on the page)
and 784-128-64-10 relu batch 64 (MNIST-sized). The two sides are alternated with the order
flipped every repeat; the ratio is taken repeat by repeat. Target: <= 1.6x.

Run as `python bench/layers.py` (`--quick` for fewer repeats); writes bench/results/layers.json.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
from engine import MLP, QUICK, ROOT, make_optimizer, numpy_steps


def layers_case(sizes, activation, loss, batch, repeats, rng):
    """us/step of a plain net and the same net with batch norm + dropout 0.2 on every hidden
    layer, timed in alternation (the order flipped every repeat); the ratio's target is
    <= 1.6x, taken repeat by repeat so both sides of a ratio ran within a second."""
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
    for run in runners.values():  # warm-up: the workspaces
        run()
    times: dict[str, list[float]] = {k: [] for k in runners}
    for k in range(repeats):  # plain first, then batch norm first, ...
        for name in list(runners)[:: 1 if k % 2 == 0 else -1]:
            start = time.perf_counter()
            runners[name]()
            times[name].append(time.perf_counter() - start)
    steps = len(X) // batch
    us = {k: sorted(t / steps * 1e6 for t in v) for k, v in times.items()}
    ratios = sorted(b / p for p, b in zip(times["plain"], times["bn_dropout"], strict=True))
    return {
        "plain_us": statistics.median(us["plain"]),
        "plain_us_spread": [us["plain"][0], us["plain"][-1]],
        "bn_dropout_us": statistics.median(us["bn_dropout"]),
        "bn_dropout_us_spread": [us["bn_dropout"][0], us["bn_dropout"][-1]],
        "ratio": {"median": statistics.median(ratios), "low": ratios[0], "high": ratios[-1]},
    }


LAYERS_CASES = (
    ([2, 8, 8, 1], "tanh", "binary_cross_entropy", 10),  # XOR on the page
    ([784, 128, 64, 10], "relu", "cross_entropy", 64),  # MNIST-sized
)


def layers_report(results: dict, reps: int, rng) -> None:
    print("\n(e) batch norm + dropout 0.2 on every hidden layer vs the plain net, per step")
    for sizes, act, loss, batch in LAYERS_CASES:
        name = "-".join(map(str, sizes))
        e = layers_case(sizes, act, loss, batch, reps * 2, rng)
        results[f"e_{name}_bn_dropout_batch{batch}"] = e
        r = e["ratio"]
        print(
            f"  {name} batch {batch}: plain {e['plain_us']:,.1f} us "
            f"({e['plain_us_spread'][0]:,.1f}-{e['plain_us_spread'][1]:,.1f}), bn+dropout "
            f"{e['bn_dropout_us']:,.1f} us ({e['bn_dropout_us_spread'][0]:,.1f}-"
            f"{e['bn_dropout_us_spread'][1]:,.1f}): {r['median']:.2f}x "
            f"({r['low']:.2f}-{r['high']:.2f}x, target <= 1.6x)"
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
