"""The bug hunt: one classic backprop mistake planted in the session's network; the learner
trains, steps through, checks gradients and guesses which it is.

The hunt outlives reset and rebuilds (the session plants it again in each new network) and
ends with `stop`. After a right guess, or MAX_TRIES wrong ones, the answer is revealed: the
wrong line beside the right one, read from the source (app/nn/bugs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.nn.bugs import BUGS, candidates, reveal, shows_in
from app.nn.lab import plant
from app.training.live.config import ConfigError

MAX_TRIES = 3


@dataclass
class Hunt:
    bug: str
    tries: int = 0
    revealed: bool = False


def start(session, bug: str) -> dict[str, Any]:
    """Plant `bug` (a name, or "random": one that shows in this network) in the session's
    network; returns the `bughunt` answer, which names the candidates, not the bug."""
    names = candidates()
    if bug == "random":
        showing = [b for b in names if shows_in(b, session.net)]
        bug = str(np.random.default_rng().choice(showing))  # fresh entropy: not guessable
    elif bug not in BUGS:
        raise ConfigError(
            "bug",
            f"bug must be one of random, {', '.join(names)}; got {bug!r}",
            "invalid_choice",
            {"allowed": ["random", *names], "got": bug},
        )
    elif not shows_in(bug, session.net):
        raise ConfigError(
            "bug",
            f"{bug} cannot show in this network: it needs {BUGS[bug].shows}",
            "bug_hidden",
            {"bug": bug},
        )
    session.hunt = Hunt(bug)
    plant(session.net, bug)
    return answer(session)


def replant(session, hunt: Hunt) -> None:
    """Carry a hunt into another session (an opened run): the same bug, tries and reveal."""
    session.hunt = hunt
    plant(session.net, hunt.bug)


def stop(session) -> dict[str, Any]:
    """End the hunt: the true engine again."""
    session.hunt = None
    plant(session.net, None)
    return answer(session)


def answer(session) -> dict[str, Any]:
    hunt = session.hunt
    return {
        "type": "bughunt",
        "active": hunt is not None,
        "candidates": candidates(),
        "tries": hunt.tries if hunt else 0,
        "max_tries": MAX_TRIES,
    }


def guess(session, bug: str) -> list[dict[str, Any]]:
    """A guess -> [guess answer] and, when right or after MAX_TRIES tries, + [reveal]."""
    hunt = session.hunt
    if hunt is None:
        raise ConfigError(
            "bug",
            'no bug hunt is on: start one with {"type": "bughunt", "bug": "random"}',
            "no_hunt",
        )
    if bug not in BUGS:
        raise ConfigError(
            "bug",
            f"bug must be one of {', '.join(BUGS)}; got {bug!r}",
            "invalid_choice",
            {"allowed": candidates(), "got": bug},
        )
    hunt.tries += 1
    correct = bug == hunt.bug
    out = [{"type": "guess", "bug": bug, "correct": correct, "tries": hunt.tries}]
    if correct or hunt.tries >= MAX_TRIES or hunt.revealed:
        hunt.revealed = True
        out.append({"type": "reveal", **reveal(hunt.bug)})
    return out
