"""The `status` message: the session's state, and a stable `code` and `params` beside its
English message (docs/protocol.md lists them) so a page can say it in its own language."""

from __future__ import annotations

from typing import Any

from app.training.live.session import Change


def status_message(
    session, state: str, change: Change | None = None, code: str = ""
) -> dict[str, Any]:
    """state: the runner's ("running", "stepping", "paused"); change: what a configure,
    reset, upload or edit did, with `code` naming it ("reset", "loaded"...; default
    "rebuilt" or "changed")."""
    msg = session.status(state)
    msg["config"] = session.config.model_dump()
    if msg["state"] != "diverged" and change is not None and change.message:
        # (a diverged status has its code and params from the session)
        msg["code"] = code or ("rebuilt" if change.rebuilt else "changed")
        msg["params"] = {"changed": change.changed}
    if change is not None:
        msg.update(
            changed=change.changed,
            rebuilt=change.rebuilt,
            message=" · ".join(p for p in (change.message, *change.notes, msg["message"]) if p),
        )
    return msg
