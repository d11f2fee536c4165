"""Neuron surgery in the exported script: killed units output 0, frozen units keep their
weights. Only a run with surgery gets this block; it wraps hidden_forward, hidden_backward
and redefines train_step of run_script.tmpl, exactly as app/nn/lab.py computes them."""

from __future__ import annotations

from string import Template

from app.nn.lab import surgery

BLOCK = Template('''# ---- Surgery done on the page
KILLED = $killed  # layer -> units (0-based) whose output is forced to 0
FROZEN = $frozen  # layer -> units whose incoming weights and bias do not learn
ALIVE = {l: np.ones(params[f"b{l}"].shape, DTYPE) for l in range(1, N_LAYERS)}
for l, units in KILLED.items():
    ALIVE[l][units] = 0.0


_hidden_forward, _hidden_backward = hidden_forward, hidden_backward


def hidden_forward(x, l, layer, params, stats, train, rng):
    """As above, with h_l * ALIVE_l: a killed unit outputs 0."""
    h, cache = _hidden_forward(x, l, layer, params, stats, train, rng)
    return h * ALIVE[l], cache


def hidden_backward(dh, l, layer, cache, grads):
    """As above, with dL/dh * ALIVE_l: no gradient passes a killed unit."""
    return _hidden_backward(dh * ALIVE[l], l, layer, cache, grads)


def train_step():
    """As above; a frozen unit gets no gradient and no update (whatever the optimizer kept)."""
    global EXAMPLES
    idx = next_batch()
$schedule_step    z, caches = forward(X_train[idx], train=True)
    data_loss, dL_dz = loss_and_grad(z, y_train[idx])
    loss = data_loss + penalty()
    grads = backward(caches, dL_dz)
    kept = {}
    for l, units in FROZEN.items():
        grads[f"W{l}"][:, units] = 0.0
        grads[f"b{l}"][units] = 0.0
        kept[l] = params[f"W{l}"][:, units].copy(), params[f"b{l}"][units].copy()
    update(grads)
    for l, (W, b) in kept.items():
        params[f"W{l}"][:, FROZEN[l]] = W
        params[f"b{l}"][FROZEN[l]] = b
    EXAMPLES += len(idx)
    return loss


''')


def surgery_code(net, schedule_step: str = "") -> str:
    """The block for `net`, or "" when no unit is frozen or killed. schedule_step: the
    line that sets the step's learning rate, when the run has a schedule."""
    ops = surgery(net)
    if not ops["frozen"] and not ops["killed"]:
        return ""
    by_layer: dict[str, dict[int, list[int]]] = {"frozen": {}, "killed": {}}
    for what, pairs in ops.items():
        for layer, unit in pairs:
            by_layer[what].setdefault(layer, []).append(unit)
    return BLOCK.substitute(
        killed=repr(by_layer["killed"]),
        frozen=repr(by_layer["frozen"]),
        schedule_step=schedule_step,
    )
