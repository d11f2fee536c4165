"""Engine speed: the NumPy MLP beside PyTorch (CPU) and scikit-learn's MLPClassifier.

Run as `python bench/engine.py`. Prints a table and writes bench/results/engine.json.

  (a) 2-8-8-2 tanh, 500 random points, SGD, batch 10 and 100 (examples/second)
  (b) 784-128-64-10 relu, batch 64, float32, MNIST-sized random input (examples/second)
  (c) one MNIST epoch (4,000 train / 1,000 test from app/data/mnist_5k.npz), Adam, batch 64,
      beside scikit-learn's MLPClassifier with the same architecture (time, test accuracy)

Timings are best-of-N after a warm-up. Targets: (a) >= 3x PyTorch at batch 10,
(b) >= 1.0x PyTorch, (c) time <= 1.0x scikit-learn at equal or better accuracy.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.nn import MLP, make_optimizer  # noqa: E402

try:
    import torch
except ImportError:  # the table says so and skips those columns
    torch = None

REFERENCES = (
    "TensorFlow Playground JS engine ~610k ex/s at batch 10 on 2-8-8-1 on this machine class; "
    "bare NumPy loop ~260k"
)


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        return max(counts) if counts else 1
    except ImportError:
        return 1


def best_of(fn, repeats: int) -> float:
    """Seconds of the fastest of `repeats` calls of fn (after one warm-up call)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


# ---- one training pass over (X, y) in batches, ours and torch's ---------------------------
def numpy_epoch(net, opt, X, y, batch):
    def run():
        for start in range(0, len(X), batch):
            net.train_step(X[start : start + batch], y[start : start + batch], opt)

    return run


def torch_model(sizes, activation):
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def torch_epoch(sizes, activation, X, y, batch, lr):
    model = torch_model(sizes, activation)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    batches = [(Xt[s : s + batch], yt[s : s + batch]) for s in range(0, len(X), batch)]

    def run():
        for xb, yb in batches:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

    return run


def compare(sizes, activation, X, y, batch, repeats, lr=0.03):
    """returns (ours ex/s, torch ex/s or None) for one pass over X per call.

    The two are timed in alternation, so a busy machine slows both alike."""
    net = MLP(sizes, activation=activation, loss="cross_entropy", seed=0)
    runners = [numpy_epoch(net, make_optimizer("sgd", lr), X, y, batch)]
    if torch is not None:
        runners.append(torch_epoch(sizes, activation, X, y, batch, lr))
    best = [best_of(run, 1) for run in runners]
    for _ in range(repeats - 1):
        best = [min(b, best_of(run, 1)) for b, run in zip(best, runners, strict=True)]
    speeds = [len(X) / b for b in best]
    return speeds[0], (speeds[1] if len(speeds) > 1 else None)


# ---- (c) MNIST ----------------------------------------------------------------------------
def mnist_split(seed=0):
    data = np.load(ROOT / "app" / "data" / "mnist_5k.npz")
    images = data["images"].reshape(len(data["images"]), -1).astype(np.float32) / 255.0
    labels = data["labels"].astype(np.int64)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in range(10):  # rows are sorted by class: split each class 80/20
        idx = rng.permutation(np.flatnonzero(labels == c))
        cut = int(0.8 * len(idx))
        train.append(idx[:cut])
        test.append(idx[cut:])
    train, test = rng.permutation(np.concatenate(train)), np.concatenate(test)
    return images[train], labels[train], images[test], labels[test]


def mnist_numpy(Xtr, ytr, Xte, yte, lr, batch):
    net = MLP([784, 128, 64, 10], activation="relu", init="he_uniform", seed=0)
    opt = make_optimizer("adam", learning_rate=lr)
    start = time.perf_counter()
    numpy_epoch(net, opt, Xtr, ytr, batch)()
    elapsed = time.perf_counter() - start
    return elapsed, float(np.mean(net.predict(Xte) == yte))


def mnist_sklearn(Xtr, ytr, Xte, yte, lr, batch):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(128, 64),
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=batch,
        learning_rate_init=lr,
        max_iter=1,
        shuffle=False,  # already shuffled once, like ours
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(Xtr, ytr)
        elapsed = time.perf_counter() - start
    return elapsed, float(np.mean(clf.predict(Xte) == yte))


def best_run(fn, repeats, *args):
    fn(*args)  # warm-up
    runs = [fn(*args) for _ in range(repeats)]
    return min(r[0] for r in runs), runs[-1][1]


# ---- report -------------------------------------------------------------------------------
def ratio(a, b):
    return None if not a or not b else a / b


def fmt(x, unit=""):
    if x is None:
        return "-"
    if unit == "ex/s":
        return f"{x / 1000:,.0f}k ex/s"
    if unit == "x":
        return f"{x:.2f}x"
    if unit == "s":
        return f"{x:.3f} s"
    return f"{x:.3f}"


def main() -> None:
    threads = blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    results = {"blas_threads": threads, "torch": torch.__version__ if torch else None}
    rows = []

    # (a) tiny 2-D nets: per-step overhead
    X = rng.normal(size=(500, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    for batch, repeats in ((10, 15), (100, 30)):
        ours, theirs = compare([2, 8, 8, 2], "tanh", X, y, batch, repeats)
        key = f"a_2-8-8-2_tanh_batch{batch}"
        results[key] = {"numpy_ex_s": ours, "torch_ex_s": theirs, "ratio": ratio(ours, theirs)}
        target = ">= 3x" if batch == 10 else ""
        rows.append(
            (
                f"(a) 2-8-8-2 tanh, batch {batch}",
                fmt(ours, "ex/s"),
                fmt(theirs, "ex/s"),
                fmt(ratio(ours, theirs), "x"),
                target,
            )
        )

    # (b) the MNIST net on random input: arithmetic + BLAS
    X = rng.random((64 * 40, 784), dtype=np.float32)
    y = rng.integers(0, 10, len(X))
    ours, theirs = compare([784, 128, 64, 10], "relu", X, y, 64, 8, lr=0.01)
    results["b_784-128-64-10_relu_batch64_float32"] = {
        "numpy_ex_s": ours,
        "torch_ex_s": theirs,
        "ratio": ratio(ours, theirs),
    }
    rows.append(
        (
            "(b) 784-128-64-10 relu, batch 64",
            fmt(ours, "ex/s"),
            fmt(theirs, "ex/s"),
            fmt(ratio(ours, theirs), "x"),
            ">= 1x",
        )
    )

    # (c) one MNIST epoch, Adam, batch 64, lr 1e-3, against scikit-learn
    split = mnist_split(0)
    ours_t, ours_acc = best_run(mnist_numpy, 3, *split, 1e-3, 64)
    sk_t, sk_acc = best_run(mnist_sklearn, 3, *split, 1e-3, 64)
    results["c_mnist_epoch_adam_batch64"] = {
        "numpy_s": ours_t,
        "numpy_test_acc": ours_acc,
        "sklearn_s": sk_t,
        "sklearn_test_acc": sk_acc,
        "time_ratio": ours_t / sk_t,
    }

    print(f"Engine benchmark (BLAS threads {threads}, torch {results['torch'] or 'not installed'})")
    header = ("case", "numpy engine", "pytorch cpu", "ratio", "target")
    widths = (34, 16, 16, 8, 8)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    if torch is None:
        print("torch not installed: PyTorch columns skipped")
    print(
        f"(c) MNIST epoch 4k/1k, adam b64: numpy {ours_t:.3f} s acc {ours_acc:.3f} | "
        f"sklearn {sk_t:.3f} s acc {sk_acc:.3f} | time {ours_t / sk_t:.2f}x (target <= 1x, "
        "acc >= sklearn)"
    )
    print(f"reference: {REFERENCES}")
    results["reference"] = REFERENCES

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'engine.json'}")


if __name__ == "__main__":
    main()
