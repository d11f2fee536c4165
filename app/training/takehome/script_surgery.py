"""Neuron surgery in the exported script: killed units output 0, frozen units keep their
weights. Only a run with surgery gets this block; it redefines forward, backward and
train_step of run_script.tmpl with the masks, exactly as app/nn/lab.py computes them."""

from __future__ import annotations

from string import Template

from app.nn.lab import surgery

BLOCK = Template('''# ---- Surgery done on the page
KILLED = $killed  # layer -> units (0-based) whose output is forced to 0
FROZEN = $frozen  # layer -> units whose incoming weights and bias do not learn
ALIVE = {l: np.ones(params[f"b{l}"].shape, DTYPE) for l in range(1, N_LAYERS)}
for l, units in KILLED.items():
    ALIVE[l][units] = 0.0


def forward(X):
    """As above, with a_l = f(z_l) * ALIVE_l: a killed unit outputs 0."""
    acts, zs = [X], []
    for l in range(1, N_LAYERS + 1):
        z = acts[-1] @ params[f"W{l}"] + params[f"b{l}"]
        zs.append(z)
        if l < N_LAYERS:
            acts.append(f(z) * ALIVE[l])
    return zs, acts


def backward(zs, acts, dL_dz):
    """As above, with dL/dz = dL/da * (f'(z) * ALIVE): no gradient passes a killed unit."""
    grads = {}
    for l in range(N_LAYERS, 0, -1):
        grads[f"W{l}"] = acts[l - 1].T @ dL_dz
        grads[f"b{l}"] = dL_dz.sum(axis=0)
        if l > 1:
            dL_da = dL_dz @ params[f"W{l}"].T
            dL_dz = dL_da * (f_prime(zs[l - 2], acts[l - 1]) * ALIVE[l - 1])
    for l in range(1, N_LAYERS + 1):
        if L2:
            grads[f"W{l}"] += L2 * params[f"W{l}"]
        if L1:
            grads[f"W{l}"] += L1 * np.sign(params[f"W{l}"])
    return grads


def train_step():
    """As above; a frozen unit gets no gradient and no update (whatever the optimizer kept)."""
    idx = next_batch()
    zs, acts = forward(X_train[idx])
    data_loss, dL_dz = loss_and_grad(zs[-1], y_train[idx])
    loss = data_loss + penalty()
    grads = backward(zs, acts, dL_dz)
    kept = {}
    for l, units in FROZEN.items():
        grads[f"W{l}"][:, units] = 0.0
        grads[f"b{l}"][units] = 0.0
        kept[l] = params[f"W{l}"][:, units].copy(), params[f"b{l}"][units].copy()
    update(grads)
    for l, (W, b) in kept.items():
        params[f"W{l}"][:, FROZEN[l]] = W
        params[f"b{l}"][FROZEN[l]] = b
    return loss


''')


def surgery_code(net) -> str:
    """The block for `net`, or "" when no unit is frozen or killed."""
    ops = surgery(net)
    if not ops["frozen"] and not ops["killed"]:
        return ""
    by_layer: dict[str, dict[int, list[int]]] = {"frozen": {}, "killed": {}}
    for what, pairs in ops.items():
        for layer, unit in pairs:
            by_layer[what].setdefault(layer, []).append(unit)
    return BLOCK.substitute(killed=repr(by_layer["killed"]), frozen=repr(by_layer["frozen"]))
