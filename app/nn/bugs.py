"""Classic backprop mistakes, for the bug hunt: each one a name, the wrong line and the place
of the right one.

The lab network (lab.py) plants one of them in its backward pass or its update; the loss
itself stays true, so a gradient check (finite differences of the true loss) catches every
gradient bug on some parameter. The update bug (`update_sign`) leaves the gradients right:
only the loss curve, going up, gives it away.

`reveal(name, net)` shows the wrong line beside the right one, the right one read from the
source itself: app/nn/reference.py when it has the line, else the fast engine's module.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Bug:
    """name: id; what: one sentence on the mistake; wrong: the buggy line;
    right: (module, regex) pairs, searched in order for the right line (reference first);
    shows: what the config needs for the bug to change anything (None: always)."""

    name: str
    what: str
    wrong: str
    right: tuple[tuple[str, str], ...]
    shows: str | None = None


BUGS: dict[str, Bug] = {
    b.name: b
    for b in (
        Bug(
            "w_not_transposed",
            "dL/dx of a layer multiplies by W where W^T belongs (only a square W lets it run)",
            "dx = dout @ W  # dL/dx = dL/dz @ W",
            (
                ("app.nn.reference", r"dx\s*=.*(W|w)\.T"),
                ("app.nn.layers", r"np\.dot\(dz, self\.W_T"),
            ),
            "a layer below the output with as many inputs as units (e.g. two hidden layers of 4)",
        ),
        Bug(
            "no_activation_grad",
            "dL/dz = dL/da: the activation's derivative f'(z) is left out",
            "dz = da  # dL/dz = dL/da",
            (
                ("app.nn.reference", r"dz\s*=.*\*"),
                ("app.nn.mlp", r"dz = np\.multiply\(da, ws\.f_prime"),
            ),
            "a non-linear activation",
        ),
        Bug(
            "fprime_of_a",
            "f'(a) is used where f'(z) belongs: the derivative is evaluated at the output",
            "fp = act.grad(a, act.fn(a))  # f'(a) = f'(f(z))",
            (
                ("app.nn.reference", r"def \w*backward.*\n.*\n?.*(1 - |1\.0 - )"),
                ("app.nn.mlp", r"fp = self\.act\.grad\(ws\.z_hidden"),
            ),
            "sigmoid or tanh (for the rectifiers f'(a) = f'(z): same sign)",
        ),
        Bug(
            "bias_wrong_axis",
            "dL/db sums dL/dz over every axis, not over the batch (axis 0)",
            "db = np.sum(dout)  # one number for every unit",
            (
                ("app.nn.reference", r"db\s*=.*sum\(.*axis\s*=\s*0"),
                ("app.nn.layers", r"\(N,\) @ \(N, out\) -> \(out,\)"),
            ),
            "hidden layers of more than one unit",
        ),
        Bug(
            "no_batch_mean",
            "dL/dz of the loss is not divided by the batch size N (the loss is a mean)",
            "dz = y_hat - onehot(y)  # no / N",
            (
                ("app.nn.reference", r"\bd\w*\s*(/=|=.*/)\s*(N|n|len\(\w+\))\b"),
                ("app.nn.losses", r"e \*= c\.inv_n"),
            ),
            "a batch of more than one example",
        ),
        Bug(
            "onehot_forgotten",
            "the loss's dL/dz forgets the target: y_hat / N instead of (y_hat - onehot(y)) / N",
            "dz = y_hat / N  # the one-hot target never subtracted",
            (
                ("app.nn.reference", r"-=\s*1|onehot|one_hot"),
                ("app.nn.losses", r"e -= onehot"),
            ),
        ),
        Bug(
            "l2_grad_missing",
            "L2's gradient l2 * W is left out of dL/dW, while the loss still counts 0.5 l2 W^2",
            "dW = x.T @ dz  # + l2 * W left out",
            (
                ("app.nn.reference", r"d\w*\s*\+=\s*(l2|reg)\w*\s*\*\s*[wW]"),
                ("app.nn.regularization", r"dw \+= l2 \* w"),
            ),
            "an L2 rate above 0",
        ),
        Bug(
            "update_sign",
            "the update climbs the gradient: w += lr * dW instead of w -= lr * dW",
            "w += learning_rate * dw  # uphill",
            (
                ("app.nn.reference", r"\w\s*-=.*\b(lr|learning_rate)\b"),
                ("app.nn.optimizers", r"np\.multiply\(g, const\(-self\.learning_rate"),
            ),
        ),
    )
}


def candidates() -> list[str]:
    """Every bug's name: what the learner chooses from."""
    return list(BUGS)


def get_bug(name: str) -> Bug:
    try:
        return BUGS[name]
    except (KeyError, TypeError):
        raise ValueError(f"bug must be one of {', '.join(BUGS)}; got {name!r}") from None


def shows_in(name: str, net) -> bool:
    """Would bug `name` change anything for this network (its sizes, activation, l2)?"""
    sizes = net.sizes
    if name == "w_not_transposed":
        return any(sizes[i] == sizes[i + 1] for i in range(1, len(sizes) - 1))
    if name == "no_activation_grad":
        return len(sizes) > 2 and net.activation != "linear"
    if name == "fprime_of_a":
        return len(sizes) > 2 and net.activation in ("sigmoid", "tanh")
    if name == "bias_wrong_axis":
        return max(sizes[1:]) > 1
    if name == "l2_grad_missing":
        return net.l2 > 0
    return True


def reveal(name: str) -> dict[str, Any]:
    """The bug's wrong line beside the right one, and where the right one is (file:line)."""
    bug = get_bug(name)
    for module, pattern in bug.right:
        found = _find(module, pattern)
        if found is not None:
            where, line = found
            return {
                "bug": name,
                "what": bug.what,
                "where": where,
                "wrong": bug.wrong,
                "right": line,
            }
    raise LookupError(f"the right line of {name} is in none of its modules")  # a test holds it


def _find(module: str, pattern: str) -> tuple[str, str] | None:
    """(path:line, the line) of the first match of pattern in module's source, or None."""
    try:
        source = inspect.getsource(importlib.import_module(module))
    except ImportError:
        return None
    match = re.search(pattern, source)
    if match is None:
        return None
    number = source.count("\n", 0, match.end()) + 1  # the match's last line
    line = source.splitlines()[number - 1].strip()
    path = Path(module.replace(".", "/")).with_suffix(".py").as_posix()
    return f"{path}:{number}", line
