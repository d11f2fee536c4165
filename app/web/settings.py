"""Server settings, read from the environment (prefix BP_), e.g. BP_PORT=9000."""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator may tune; the defaults suit one laptop."""

    model_config = SettingsConfigDict(env_prefix="BP_")

    host: str = Field("127.0.0.1", description="Interface to bind; loopback unless told")
    port: int = Field(8000, ge=0, le=65535)
    max_sessions: int = Field(
        32, ge=1, le=1024, description="Open tabs served at once, across all worker processes"
    )
    workers: int | None = Field(
        None, ge=1, le=64, description="Worker processes (default: one per core)"
    )
    workers_dir: str | None = Field(
        None, description="Set by the CLI for worker processes: their shared directory"
    )
    supervisor_fd: int | None = Field(
        None, description="Set by the CLI for worker processes: a pipe that ends with it"
    )
    class_size: int = Field(
        60, ge=1, le=1024, description="Students a teacher's class takes at most"
    )
    frame_rate: float = Field(30.0, gt=0, le=120, description="Frames per second at most")
    max_message_bytes: int = Field(64 * 1024, ge=1024, description="Largest client message")
    max_upload_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="Largest CSV upload")
    state_dir: str = Field(
        default_factory=lambda: default_state_dir(),
        description="Folder for session checkpoints (runs survive crashes and restarts); "
        "empty: none",
    )
    checkpoint_every_s: float = Field(
        2.0, gt=0, le=60, description="Seconds of training between two checkpoints at most"
    )
    checkpoint_ttl_s: float = Field(
        24 * 3600, gt=0, description="Seconds a checkpoint is kept after its last write"
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="Extra origins allowed to open /ws"
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names served besides 127.0.0.1, localhost and the bound address, "
        "comma-separated (BP_ALLOWED_HOSTS=lab.local,10.0.0.5); * serves any",
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        return [h.strip() for h in v.split(",") if h.strip()] if isinstance(v, str) else v

    @property
    def transport_bytes(self) -> int:
        """The largest WebSocket frame uvicorn takes in: far above max_message_bytes, so an
        oversized message gets the app's own `too_large` answer, not a dropped socket."""
        return max(16 * self.max_message_bytes, 4 * 1024 * 1024)

    @property
    def default_workers(self) -> int:
        """BP_WORKERS, else one process per core."""
        return self.workers or os.cpu_count() or 1


def default_state_dir() -> str:
    """Under the user's cache folder: $XDG_CACHE_HOME, else ~/.cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "backprop-playground")
