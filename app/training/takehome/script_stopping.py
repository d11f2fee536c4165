"""Stop conditions in the exported script: `stop_at` and early stopping, as on the page.

Only a run with a condition set gets this block. `stop_reason(epoch_before)` runs after each
step and does what app/training/live/stopping.py's StopWatch.check does: `epochs` every step;
`loss`, `accuracy` (R² for real targets) and early stopping's test loss when an epoch ends.
What already fired on the page does not fire again, and early stopping's best so far and
its count of epochs without a new best travel with the file, so the script stops at the
very step the page would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from string import Template

from app.training.live.stopping import extras

BLOCK = Template('''# ---- 5. Stopping, as on the page
# stop_at: stop when the epoch reaches "epochs" (checked every step), or, when an epoch
# ends, when the training loss is at most "loss" or the training $score_name at least
# "accuracy". Early stopping: when an epoch ends the test loss is measured; after PATIENCE
# epochs without a new best, the best weights come back and the run stops.
STOP_AT = $stop_at  # a limit None is not used
PATIENCE = $patience  # early stopping: epochs without a new best test loss (None: off)
FIRED = $fired  # conditions that already fired on the page: they do not fire again
best_loss = $best_loss  # the best test loss so far ...
best_step = $best_step  # ... measured after this step
wait = $wait  # epochs since the best test loss
$best_params


def stop_reason(epoch_before):
    """After a step that started at epoch_before: why the run stops here, or None."""
    global best_loss, best_step, best_params, wait
    epoch = EXAMPLES / len(y_train)
    limit = STOP_AT["epochs"]
    if limit is not None and "epochs" not in FIRED and epoch >= limit:
        return f"epoch {epoch:.3f} reached (stop_at.epochs = {limit})"
    if math.floor(epoch) == math.floor(epoch_before):
        return None  # the other conditions are looked at when an epoch ends
    if STOP_AT["loss"] is not None or STOP_AT["accuracy"] is not None:
        loss, figure = evaluate(X_eval, y_eval)
        limit = STOP_AT["loss"]
        if limit is not None and "loss" not in FIRED and loss <= limit:
            return f"training loss {loss:.4g} <= {limit} (stop_at.loss)"
        limit = STOP_AT["accuracy"]
        if limit is not None and "accuracy" not in FIRED and figure >= limit:
            return f"training $score_name {figure:.4g} >= {limit} (stop_at.accuracy)"
    if PATIENCE is not None:
        test_loss = float(evaluate(X_test, y_test)[0])
        if test_loss < best_loss:
            best_loss, best_step, wait = test_loss, step, 0
            best_params = {name: p.copy() for name, p in params.items()}
        else:
            wait += 1
            if wait >= PATIENCE and best_params is not None:
                for name, p in best_params.items():
                    params[name][...] = p
                wait = 0
                return (
                    f"test loss has not improved for {PATIENCE} epochs: the best weights "
                    f"(step {best_step}, test loss {best_loss:.4g}) are back"
                )
    return None


''')

NOTE = """
and, like the page, it stops early where a stop condition says (section 5); --no-stop
trains all the steps asked for.
"""
ARGS = """    parser.add_argument(
        "--no-stop", action="store_true", help="train all --steps, past the stop conditions"
    )
"""
LOOP = """            epoch_before = EXAMPLES / len(y_train)
            loss = train_step()
            step += 1
            if not args.no_stop and np.isfinite(loss):  # a diverged run is not checked
                why = stop_reason(epoch_before)
                if why:
                    print(f"Stopped at step {step}: {why}.")
                    break
"""
PLAIN_LOOP = """            train_step()
            step += 1
"""


def watched(session) -> bool:
    """Does the run have a stop condition (stop_at or early stopping)?"""
    return extras(session.config)[1]


def stopping_fields(session, dict_code: Callable[[str, dict, str], str]) -> dict[str, str]:
    """The template's fields: the block, the --no-stop option and the loop's body.
    dict_code(name, arrays, dtype): code that rebuilds a dict of arrays (script.py's)."""
    if not watched(session):
        return {"stopping": "", "stop_args": "", "stop_check": PLAIN_LOOP, "stop_note": ""}
    cfg, watch = session.config, session.stops
    best = watch.best_params
    best_code = (
        "best_params = None  # the weights at the best test loss (none measured yet)"
        if best is None
        else "# The weights at the best test loss.\n" + dict_code("best_params", best, cfg.dtype)
    )
    block = BLOCK.substitute(
        score_name="r2" if session.data.is_regression else "accuracy",
        stop_at=repr(cfg.stop_at.model_dump()),
        patience=repr(cfg.early_stopping.patience),
        fired=repr(sorted(watch.fired)),
        best_loss='float("inf")' if math.isinf(watch.best_loss) else repr(watch.best_loss),
        best_step=watch.best_step,
        wait=watch.wait,
        best_params=best_code,
    )
    return {"stopping": block, "stop_args": ARGS, "stop_check": LOOP, "stop_note": NOTE}
