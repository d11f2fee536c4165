"""Engine speed: the NumPy MLP beside TensorFlow Playground, PyTorch (CPU) and scikit-learn.

Run as `python bench/engine.py` (`--quick` for fewer repeats). Prints a table and writes
bench/results/engine.json. Both sides of every comparison are timed in alternation in one
run, repeated; figures are medians, the spread is the min..max of the repeats.

  (a) 2-8-8-1 tanh, one sigmoid output + binary cross-entropy, SGD, batch 10, 500 points:
      examples/s and us per step, against TensorFlow Playground's own engine (nn.ts under
      Node 20 trains 390-610k examples/s at batch 10 on 2-8-8-1 on this machine class) and
      PyTorch. Two rows: `train_step` checking its inputs every step (a notebook's call),
      and with the inputs checked once per dataset (check=False: the session's path).
  (b) 2-8-8-2 tanh, softmax + cross-entropy (the page's default network), batch 10 and 100.
  (c) 784-128-64-10 relu, batch 64, float32, MNIST-sized random input: `train_step`, and
      the notebook path `net.gradients(X, y)` + a dict update, each against PyTorch's
      forward/backward with its optimizer / with the same hand-written update.
  (d) one MNIST epoch (4,000 train / 1,000 test from app/data/mnist_5k.npz), Adam, batch 64,
      beside scikit-learn's MLPClassifier with the same architecture (time, test accuracy)

Targets: (a) >= 0.9x TensorFlow Playground (aim 1.0x); (c) >= 1.5x PyTorch on the notebook
path; (d) time <= 1.0x scikit-learn at equal or better accuracy. Section (e), batch norm +
dropout against the plain net, is bench/layers.py.

--tfp FILE.js runs TensorFlow Playground's engine live under `node`, in alternation with
ours (0.5 s each, 15 rounds, the ratio taken round by round). FILE.js is TFP's src/nn.ts
with its types stripped plus a loop over 500 points at batch 10 on 2-8-8-1 tanh
(forwardProp + backProp per example, updateWeights every 10, 200 passes of warm-up) that
runs for argv[2] seconds and prints {"median", "low", "high"} examples/s over samples of 20
passes. It is not in this repository (TFP's code is its own); without it the figures above
are quoted.

BENCH_ENGINE_ROOT=/path/to/an/older/checkout times that checkout's engine instead (the
"before" figures in the README came from the commit before the speed work).
"""

from __future__ import annotations

import inspect
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ENGINE_ROOT = Path(os.environ.get("BENCH_ENGINE_ROOT", ROOT))
sys.path.insert(0, str(ENGINE_ROOT))

from app.nn import MLP, make_optimizer  # noqa: E402

try:
    import torch
except ImportError:  # the table says so and skips those columns
    torch = None

# TensorFlow Playground's nn.ts (Node 20, batch 10, 2-8-8-1 tanh), on this machine class.
TFP_EX_S = (390_000, 610_000)
QUICK = "--quick" in sys.argv


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        return max(counts) if counts else 1
    except ImportError:
        return 1


def alternate(runners: dict, repeats: int) -> dict[str, list[float]]:
    """Seconds per call of each runner, called in turn `repeats` times after a warm-up, so a
    busy machine slows every side alike."""
    for run in runners.values():
        run()
    times: dict[str, list[float]] = {k: [] for k in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def rate(seconds: list[float], examples: int) -> dict:
    """examples/s: median, and the spread (slowest..fastest repeat)."""
    speeds = sorted(examples / s for s in seconds)
    return {"median": statistics.median(speeds), "low": speeds[0], "high": speeds[-1]}


# ---- our engine --------------------------------------------------------------------------
CHECK_ONCE = "check" in inspect.signature(MLP.train_step).parameters


def numpy_steps(net, opt, X, y, batch, check=True):
    """One pass over (X, y) in batches of `batch`, one train_step each."""
    if check:
        batches = [(X[s : s + batch], y[s : s + batch]) for s in range(0, len(X), batch)]

        def run():
            for xb, yb in batches:
                net.train_step(xb, yb, opt)

        return run
    X, y = net.check_inputs(X, y)  # once per dataset, as the session does
    batches = [(X[s : s + batch], y[s : s + batch]) for s in range(0, len(X), batch)]

    def run_checked_once():
        for xb, yb in batches:
            net.train_step(xb, yb, opt, check=False)

    return run_checked_once


def numpy_notebook(net, X, y, batch, lr):
    """The notebook way: gradients (no dL/dX) + a plain dict update."""
    batches = [(X[s : s + batch], y[s : s + batch]) for s in range(0, len(X), batch)]

    def run():
        for xb, yb in batches:
            _, grads = net.gradients(xb, yb)
            for k, p in net.params.items():
                p -= lr * grads[k]

    return run


# ---- PyTorch -----------------------------------------------------------------------------
def torch_model(sizes, activation, dropout=None):
    """Linear, activation, ...; dropout=p also puts batch norm before each hidden activation
    and dropout p after it, as ours with {"norm": "batch", "dropout": p} (momentum 0.9 in our
    terms is PyTorch's 0.1)."""
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            if dropout is not None:
                layers.append(torch.nn.BatchNorm1d(fan_out, eps=1e-5, momentum=0.1))
            layers.append(act())
            if dropout is not None:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


def torch_steps(sizes, activation, X, y, batch, lr, notebook=False, dropout=None):
    """PyTorch's pass: forward, loss, backward, then its SGD (or, notebook=True, the same
    hand-written update `p -= lr * p.grad` as ours); dropout: see torch_model."""
    model = torch_model(sizes, activation, dropout)
    binary = sizes[-1] == 1
    loss_fn = torch.nn.BCEWithLogitsLoss() if binary else torch.nn.CrossEntropyLoss()
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32 if binary else np.int64))
    if binary:
        yt = yt.reshape(-1, 1)
    batches = [(Xt[s : s + batch], yt[s : s + batch]) for s in range(0, len(X), batch)]
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=lr)

    def run():
        for xb, yb in batches:
            if notebook:
                for p in params:
                    p.grad = None
            else:
                opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if notebook:
                with torch.no_grad():
                    for p in params:
                        p -= lr * p.grad
            else:
                opt.step()

    return run


# ---- cases -------------------------------------------------------------------------------
def tiny_case(sizes, loss, batch, repeats, rng):
    """examples/s of our train_step (checked each step / once) and PyTorch's, one table."""
    X = rng.normal(size=(500, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    runners = {}
    net = MLP(sizes, activation="tanh", loss=loss, seed=0)
    runners["numpy"] = numpy_steps(net, make_optimizer("sgd", 0.03), X, y, batch)
    if CHECK_ONCE:
        net2 = MLP(sizes, activation="tanh", loss=loss, seed=0)
        runners["numpy_checked_once"] = numpy_steps(
            net2, make_optimizer("sgd", 0.03), X, y, batch, check=False
        )
    if torch is not None:
        runners["torch"] = torch_steps(sizes, "tanh", X, y, batch, 0.03)
        # One thread: a 2-8-8 layer has nothing to split, and idle OpenMP threads spinning
        # after each op would take the CPU from the NumPy side timed next to it.
        torch.set_num_threads(1)
    times = alternate(runners, repeats)
    if torch is not None:
        torch.set_num_threads(blas_threads())
    out = {k: rate(v, len(X)) for k, v in times.items()}
    steps = len(X) // batch
    for k, v in times.items():
        out[k]["us_per_step"] = statistics.median(v) / steps * 1e6
    return out


def tfp_alternation(js: str, rounds: int = 15, seconds: float = 0.5) -> dict:
    """TensorFlow Playground's engine under node and our (a) step, alternately `rounds`
    times for `seconds` each. Each side's figure for a round is the median of its samples of
    10,000 examples (20 passes over the 500 points, as FILE.js samples); the ratio is taken
    round by round, so both sides of a ratio ran within a second of each other: this
    machine's speed drifts by up to 1.8x over seconds (host noise), which pooling would mix
    into the comparison. Each side warms up for 200 passes before its window is timed."""
    import subprocess

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(500, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    net = MLP([2, 8, 8, 1], activation="tanh", loss="binary_cross_entropy", seed=0)
    run = numpy_steps(net, make_optimizer("sgd", 0.03), X, y, 10, check=not CHECK_ONCE)
    tfp, ours = [], []
    for _ in range(rounds):
        done = subprocess.run(["node", js, str(seconds)], capture_output=True, text=True)
        tfp.append(json.loads(done.stdout)["median"])
        for _ in range(200):  # the same warm-up as FILE.js: 200 passes before timing
            run()
        samples, end = [], time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            for _ in range(20):
                run()
            samples.append(20 * len(X) / (time.perf_counter() - start))
        ours.append(statistics.median(samples))
    ratios = sorted(o / t for o, t in zip(ours, tfp, strict=True))
    med = statistics.median
    return {
        "tfp": {"median": med(tfp), "low": min(tfp), "high": max(tfp)},
        "numpy": {"median": med(ours), "low": min(ours), "high": max(ours)},
        "ratio": {"median": med(ratios), "low": ratios[0], "high": ratios[-1]},
        "rounds": rounds,
    }


def mnist_net_case(repeats, rng):
    X = rng.random((64 * 40, 784), dtype=np.float32)
    y = rng.integers(0, 10, len(X))
    sizes, lr = [784, 128, 64, 10], 0.01
    runners = {
        "numpy": numpy_steps(
            MLP(sizes, activation="relu", seed=0), make_optimizer("sgd", lr), X, y, 64
        ),
        "numpy_notebook": numpy_notebook(MLP(sizes, activation="relu", seed=0), X, y, 64, lr),
    }
    if torch is not None:
        runners["torch"] = torch_steps(sizes, "relu", X, y, 64, lr)
        runners["torch_notebook"] = torch_steps(sizes, "relu", X, y, 64, lr, notebook=True)
    return {k: rate(v, len(X)) for k, v in alternate(runners, repeats).items()}


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
    numpy_steps(net, opt, Xtr, ytr, batch)()
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


# ---- report -------------------------------------------------------------------------------
def ks(r: dict | None) -> str:
    if r is None:
        return "-"
    return f"{r['median'] / 1000:,.0f}k ({r['low'] / 1000:,.0f}-{r['high'] / 1000:,.0f}k)"


def x(a: dict | None, b: dict | None) -> str:
    return "-" if not a or not b else f"{a['median'] / b['median']:.2f}x"


def row(label: str, ours: dict | None, torch_side: dict | None, target: str = "") -> None:
    """One line: ours, PyTorch's, the ratio (and its target)."""
    print(
        f"  {label:30s} {ks(ours):24s} PyTorch {ks(torch_side):24s} {x(ours, torch_side)} {target}"
    )


def main() -> None:
    threads = blas_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    reps = 5 if QUICK else 15
    results = {
        "engine": str(ENGINE_ROOT),
        "blas_threads": threads,
        "torch": torch.__version__ if torch else None,
        "tfp_ex_s": list(TFP_EX_S),
    }
    print(f"Engine benchmark ({ENGINE_ROOT}; BLAS threads {threads}, torch {results['torch']})")
    print("examples/s, median (slowest-fastest repeat); both sides timed in alternation\n")

    a = results["a_2-8-8-1_tanh_bce_batch10"] = tiny_case(
        [2, 8, 8, 1], "binary_cross_entropy", 10, reps * 2, rng
    )
    lo, hi = TFP_EX_S
    print("(a) 2-8-8-1 tanh + sigmoid/BCE, SGD, batch 10 (500 points)")
    for key, what in (
        ("numpy", "train_step, checks every step"),
        ("numpy_checked_once", "train_step, checked once/dataset"),
    ):
        r = a.get(key)
        if r is None:
            print(f"  {what:34s} -  (this engine has no check=False)")
            continue
        m = r["median"]
        print(
            f"  {what:34s} {ks(r):24s} {r['us_per_step']:5.1f} us/step   "
            f"vs TensorFlow Playground {m / hi:.2f}x-{m / lo:.2f}x (target >= 0.9x)   "
            f"vs PyTorch {x(r, a.get('torch'))}"
        )
    if "torch" in a:
        print(f"  {'PyTorch':34s} {ks(a['torch']):24s} {a['torch']['us_per_step']:5.1f} us/step")
    if "--tfp" in sys.argv:
        live = results["a_live_tfp"] = tfp_alternation(sys.argv[sys.argv.index("--tfp") + 1])
        r = live["ratio"]
        print(
            f"  live, {live['rounds']} rounds alternating 0.5 s each: TensorFlow Playground "
            f"{ks(live['tfp'])}, ours {ks(live['numpy'])}; ratio by round "
            f"{r['median']:.2f}x ({r['low']:.2f}-{r['high']:.2f}x, target >= 0.9x)"
        )

    print("\n(b) 2-8-8-2 tanh + softmax/cross-entropy (the page's default), SGD")
    for batch in (10, 100):
        b = results[f"b_2-8-8-2_tanh_ce_batch{batch}"] = tiny_case(
            [2, 8, 8, 2], "cross_entropy", batch, reps * 2, rng
        )
        row(f"batch {batch}, checks every step", b["numpy"], b.get("torch"))
        row(f"batch {batch}, checked once", b.get("numpy_checked_once"), b.get("torch"))

    c = results["c_784-128-64-10_relu_batch64_float32"] = mnist_net_case(reps, rng)
    print("\n(c) 784-128-64-10 relu, batch 64, float32")
    row("train_step", c["numpy"], c.get("torch"))
    row("gradients + dict update", c["numpy_notebook"], c.get("torch_notebook"), ">= 1.5x")

    split = mnist_split(0)
    runs = [
        (mnist_numpy(*split, 1e-3, 64), mnist_sklearn(*split, 1e-3, 64))
        for _ in range(3 if QUICK else 5)
    ]
    ours_t = statistics.median(r[0][0] for r in runs)
    sk_t = statistics.median(r[1][0] for r in runs)
    ours_acc, sk_acc = runs[-1][0][1], runs[-1][1][1]
    results["d_mnist_epoch_adam_batch64"] = {
        "numpy_s": ours_t,
        "numpy_test_acc": ours_acc,
        "sklearn_s": sk_t,
        "sklearn_test_acc": sk_acc,
        "time_ratio": ours_t / sk_t,
    }
    print(
        f"\n(d) MNIST epoch 4k/1k, adam b64: numpy {ours_t:.3f} s acc {ours_acc:.3f} | "
        f"sklearn {sk_t:.3f} s acc {sk_acc:.3f} | time {ours_t / sk_t:.2f}x (target <= 1x, "
        "acc >= sklearn)"
    )
    if torch is None:
        print("torch not installed: PyTorch columns skipped")

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'engine.json'}")


if __name__ == "__main__":
    main()
