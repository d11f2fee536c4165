"""Fuzz: whatever a client sends, the session answers and goes on (a real uvicorn)."""

from __future__ import annotations

import asyncio
import json

import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import CODES, ClientError
from app.web.messages import MESSAGE_TYPES, parse
from tests.web.test_live import _next, run_in_thread

LIMIT = 64 * 1024
SERVER_TYPES = {
    "pins",
    "hello",
    "dataset",
    "status",
    "frame",
    "error",
    "pong",
    "prediction",
    "trace",
    "gradcheck",
    "export",
    "landscape",
    "landscape_progress",
}
FIELDS = [
    "n",
    "x",
    "y",
    "label",
    "point",
    "image",
    "example",
    "split",
    "param",
    "index",
    "config",
    "id",
    "format",
    "resolution",
    "span",
]
CONFIG_KEYS = [
    "learning_rate",
    "noise",
    "batch_size",
    "hidden_layers",
    "activation",
    "seed",
    "speed",
    "features",
    "l2",
    "dtype",
    "lr_schedule",
    "stop_at",
    "colour",
]

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**15, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
structured = st.builds(
    lambda t, fields: json.dumps({"type": t, **fields}),
    st.sampled_from([*MESSAGE_TYPES, "fly", ""]),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=3),
)
configure = st.builds(
    lambda c: json.dumps({"type": "configure", "config": c}),
    st.dictionaries(st.sampled_from(CONFIG_KEYS), values, min_size=1, max_size=3),
)
raw = (
    st.text(max_size=60)
    | st.binary(max_size=60)
    | st.integers(min_value=900, max_value=50_000).map(lambda d: "[" * d + "]" * d)
    | st.integers(min_value=4301, max_value=9000).map(
        lambda d: '{"type":"step","n":' + "9" * d + "}"
    )
    | st.just("x" * (LIMIT + 1))
)
frames = st.lists(structured | configure | raw, min_size=1, max_size=12)


def expected_code(frame: str | bytes) -> str | None:
    """What the server must answer: the code parse() gives, or None for a valid message."""
    try:
        msg = parse(frame, LIMIT)
    except ClientError as e:
        return e.code
    return None if msg.type != "step" or msg.n <= 500 else "long"


def valid(reply: dict) -> bool:
    if reply.get("type") not in SERVER_TYPES:
        return False
    if reply["type"] == "error":
        return (
            reply["code"] in CODES
            and reply["code"] != "internal_error"  # a bug the fuzz found
            and isinstance(reply["message"], str)
            and reply["message"]
            and isinstance(reply["params"], dict)
            and (reply["field"] is None or isinstance(reply["field"], str))
        )
    return True


@settings(
    max_examples=400,  # ~2,600 frames
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=frames)
def test_every_frame_gets_a_valid_answer_and_a_step_still_works(live_server_obj, frames):
    async def scenario():
        async with websockets.connect(live_server_obj.ws_url, max_size=2**24) as ws:
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "pause"}))
            for i, frame in enumerate(frames):
                code = expected_code(frame)
                if code == "long":
                    continue  # long steps have their own tests
                await ws.send(frame)
                await ws.send(json.dumps({"type": "ping", "id": i}))
                replies = []
                while (reply := json.loads(await asyncio.wait_for(ws.recv(), 30))) != {
                    "type": "pong",
                    "id": i,
                }:
                    replies.append(reply)
                assert all(valid(r) for r in replies), replies
                if code is not None:
                    codes = [r["code"] for r in replies if r["type"] == "error"]
                    assert code in codes, (frame[:80], code, codes)
            for after in ({"type": "pause"}, {"type": "reset"}, {"type": "step", "n": 1}):
                await ws.send(json.dumps(after))  # paused first: reset is then step 0
            frame = await _next(
                ws, "frame", lambda f: f["state"] == "paused" and f["step"] == 1, 30
            )
            assert frame["train"]["loss"] is not None

    run_in_thread(scenario)
