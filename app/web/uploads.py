"""Uploads, checked as they stream in: a body over the limit is refused at once, not read
in full. The parts are reusable: `read_upload` for the REST route, `load_upload` for any
transport that has the file's bytes (a WebSocket message could call it too)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from app.data import parse_csv
from app.errors import ClientError
from app.web.classroom import refuse_locked

FORM_SLACK = 64 * 1024  # multipart boundaries, headers and the small form fields


@dataclass
class Upload:
    """What a client sent: the file's bytes and how to read it."""

    data: bytes
    label_column: str | None = None
    task: str = "auto"  # "auto", "classification" or "regression" (parse_csv checks it)


def too_large(limit: int, seen: int | None = None) -> ClientError:
    """The upload refusal: the limit, and what was seen of the body when it was stopped."""
    return ClientError(
        "file",
        f"file must be at most {limit:,} bytes"
        + (f"; got at least {seen:,}" if seen is not None else ""),
        "too_large",
        {"max": limit, "got": seen},
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or ClientError("too_large") as soon as it passes `limit` bytes
    (or declares more in Content-Length): a 50 MB body is never read in full."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit - FORM_SLACK, int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit - FORM_SLACK, size)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_upload(request: Request, limit: int) -> Upload:
    """The Upload in a multipart form (`file` of at most `limit` bytes, optional
    `label_column` and `task`). Raises ClientError: too_large, missing_field (no `file`
    part), wrong_type, invalid_value (not a multipart form)."""
    body = await read_body(request, limit + FORM_SLACK)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
    except Exception as e:  # Starlette's MultiPartException and friends: a malformed form
        raise ClientError(
            "file", f"the upload must be a multipart form with a 'file' part: {e}"
        ) from None
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ClientError(
            "file", "file is required: a CSV in the form's 'file' part", "missing_field"
        )
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit, len(data))
    texts = {}
    for key in ("label_column", "task"):
        value = form.get(key)
        if value is not None and not isinstance(value, str):
            raise ClientError(key, f"{key} must be text", "wrong_type", {"expected": "string"})
        texts[key] = value or None
    return Upload(data, texts["label_column"], texts["task"] or "auto")


async def load_upload(runner, upload: Upload) -> dict[str, Any]:
    """Parse the upload as a CSV (off the event loop) and make it `runner`'s dataset; its
    socket gets the dataset and a step-0 frame. Raises DataError naming the row or column."""
    cfg = runner.session.config
    if "dataset" in runner.locks:  # a class's teacher chose the data
        refuse_locked(runner.locks, {"dataset": "upload"}, cfg)
    ds = await asyncio.to_thread(
        parse_csv,
        upload.data,
        upload.label_column,
        cfg.train_fraction,
        cfg.seed,
        None,
        "upload",
        upload.task,
    )
    await runner.load_dataset(ds)
    return {
        "ok": True,
        "n_train": len(ds.y_train),
        "n_test": len(ds.y_test),
        "n_classes": ds.n_classes,
        "n_features": ds.n_features,
        "task": ds.task,
    }
