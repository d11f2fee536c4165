"""A stand-in server speaking docs/protocol.md with synthetic numbers (no training).

A development tool for the page only: `python tests/browser/mock_server.py 8766` serves the
real template and static files, so the page can be worked on before (or apart from) the real
server. Frames are made up: the loss decays, the boundary rotates, weights wobble.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import sys
from pathlib import Path

import numpy as np
import plotly
import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader

ROOT = Path(__file__).resolve().parents[2]
PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
DATASETS = ["xor", "circle", "gauss", "spiral", "moons", "blobs", "mnist"]
FIELDS = {
    "dataset": {"kind": "choice", "options": DATASETS, "default": "xor", "live": False},
    "n_samples": {"kind": "int", "min": 50, "max": 2000, "default": 500, "live": False},
    "noise": {"kind": "float", "min": 0, "max": 0.5, "default": 0.1, "live": False},
    "train_fraction": {"kind": "float", "min": 0.1, "max": 0.9, "default": 0.5, "live": False},
    "seed": {"kind": "int", "min": 0, "max": 2**31 - 1, "default": 0, "live": False},
    "classes": {"kind": "int", "min": 2, "max": 8, "default": 3, "live": False},
    "features": {
        "kind": "features",
        "options": [
            {"id": i, "label": lab}
            for i, lab in [
                ("x1", "X₁"),
                ("x2", "X₂"),
                ("x1sq", "X₁²"),
                ("x2sq", "X₂²"),
                ("x1x2", "X₁X₂"),
                ("sinx1", "sin(X₁)"),
                ("sinx2", "sin(X₂)"),
            ]
        ],
        "default": ["x1", "x2"],
    },
    "hidden_layers": {
        "kind": "layers",
        "min_layers": 0,
        "max_layers": 8,
        "min": 1,
        "max": 256,
        "default": [4, 4],
    },
    "activation": {
        "kind": "choice",
        "options": ["sigmoid", "tanh", "relu", "leaky_relu", "linear"],
        "default": "tanh",
    },
    "loss": {"kind": "choice", "options": ["cross_entropy", "bce", "mse"], "default": "bce"},
    "init": {
        "kind": "choice",
        "options": ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "normal"],
        "default": "xavier_uniform",
    },
    "optimizer": {
        "kind": "choice",
        "options": ["sgd", "momentum", "nesterov", "rmsprop", "adam"],
        "default": "sgd",
        "live": True,
    },
    "learning_rate": {"kind": "float", "min": 1e-5, "max": 10, "default": 0.03, "log": True},
    "batch_size": {"kind": "int", "min": 1, "max": 512, "default": 10, "log": True},
    "momentum": {"kind": "float", "min": 0, "max": 0.999, "default": 0.9},
    "beta1": {"kind": "float", "min": 0, "max": 0.999, "default": 0.9},
    "beta2": {"kind": "float", "min": 0, "max": 0.9999, "default": 0.999},
    "l1": {"kind": "float", "min": 0, "max": 1, "default": 0},
    "l2": {"kind": "float", "min": 0, "max": 1, "default": 0},
    "speed": {"kind": "int", "min": 1, "max": 100, "default": 1},
    "dtype": {"kind": "choice", "options": ["float32", "float64"], "default": "float32"},
}
for k, f in FIELDS.items():
    f.setdefault("label", k.replace("_", " ").capitalize())
    f.setdefault("live", k in ("learning_rate", "batch_size", "momentum", "beta1", "beta2"))
rng = np.random.default_rng(0)


def grid(a: np.ndarray, lo=None, hi=None) -> dict:
    lo = float(a.min()) if lo is None else lo
    hi = float(a.max()) if hi is None else hi
    q = np.round((a - lo) / max(hi - lo, 1e-12) * 255).clip(0, 255).astype(np.uint8)
    return {"shape": list(a.shape), "min": lo, "max": hi, "b64": base64.b64encode(q).decode()}


def points(name: str, n: int, classes: int):
    x = rng.uniform(-5, 5, (n, 2))
    if name == "spiral" or name == "blobs":
        lab = (np.floor((np.arctan2(x[:, 1], x[:, 0]) + np.pi) / (2 * np.pi) * classes)) % classes
    elif name == "circle":
        lab = (np.hypot(x[:, 0], x[:, 1]) < 3).astype(int)
    else:
        lab = (x[:, 0] * x[:, 1] > 0).astype(int)
    return x, lab.astype(int)


def preview(name):
    x, lab = points(name, 60, 3)
    return [[round(a, 2), round(b, 2), int(c)] for (a, b), c in zip(x, lab, strict=True)]


CATALOGUE = {
    "fields": FIELDS,
    "datasets": [
        {
            "name": d,
            "label": d.upper() if d in ("xor", "mnist") else d.capitalize(),
            "kind": "image" if d == "mnist" else "2d",
            "uses_classes": d in ("spiral", "blobs"),
            "classes_range": [2, 8] if d in ("spiral", "blobs") else None,
            "default_noise": 0.1,
            "default_n_samples": 500,
            "preview": [] if d == "mnist" else preview(d),
        }
        for d in DATASETS
    ],
    "limits": {"upload_bytes": 5242880, "message_bytes": 65536},
}

app = FastAPI()
app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
env = Environment(loader=FileSystemLoader(ROOT / "templates"))


@app.get("/")
def get_index():
    html = env.get_template("index.html").render(version="mock", plotly_src="/vendor/plotly.min.js")
    return HTMLResponse(html)


@app.get("/vendor/plotly.min.js")
def get_plotly():
    return FileResponse(PLOTLY, media_type="application/javascript")


class Session:
    def __init__(self, ws):
        self.ws = ws
        self.config = {k: f["default"] for k, f in FIELDS.items()}
        self.step = 0
        self.running = True

    def n_classes(self):
        d = self.config["dataset"]
        if d == "mnist":
            return 10
        return self.config["classes"] if d in ("spiral", "blobs") else 2

    def dataset_msg(self):
        c = self.config
        if c["dataset"] == "mnist":
            samples = [
                {"index": i, "label": i % 10, "image": grid(rng.random((28, 28)), 0, 1)}
                for i in range(12)
            ]
            return {
                "type": "dataset",
                "name": "mnist",
                "kind": "image",
                "n_classes": 10,
                "class_names": [str(i) for i in range(10)],
                "input_names": [],
                "n_train": 4000,
                "n_test": 1000,
                "bounds": None,
                "train": None,
                "test": None,
                "samples": samples,
            }
        x, lab = points(c["dataset"], c["n_samples"], self.n_classes())
        ntr = int(len(x) * c["train_fraction"])
        part = lambda s: {"x": x[s, 0].tolist(), "y": x[s, 1].tolist(), "label": lab[s].tolist()}  # noqa: E731
        return {
            "type": "dataset",
            "name": c["dataset"],
            "kind": "2d",
            "n_classes": self.n_classes(),
            "class_names": [str(i) for i in range(self.n_classes())],
            "input_names": ["X₁", "X₂"],
            "n_train": ntr,
            "n_test": len(x) - ntr,
            "bounds": {"x": [-6, 6], "y": [-6, 6]},
            "train": part(slice(0, ntr)),
            "test": part(slice(ntr, None)),
        }

    def frame(self):
        c, t = self.config, self.step
        mnist = c["dataset"] == "mnist"
        sizes = [784 if mnist else len(c["features"]), *c["hidden_layers"]]
        sizes.append(10 if mnist else (1 if self.n_classes() == 2 else self.n_classes()))
        loss = 0.7 * math.exp(-t / 300) + 0.02
        layers = []
        for i in range(len(sizes) - 1):
            fi, fo = sizes[i], sizes[i + 1]
            small = fi * fo <= 1024
            w = np.sin(np.arange(fi * fo).reshape(fi, fo) + t / 50)
            h = {
                k: {"edges": np.linspace(-1, 1, 21).tolist(), "counts": rng.integers(0, 50, 20).tolist()}
                for k in ("weights", "activations", "gradients")
            }
            layers.append(
                {
                    "name": str(i + 1),
                    "fan_in": fi,
                    "fan_out": fo,
                    "activation": c["activation"],
                    "W": w.round(3).tolist() if small else None,
                    "b": [0.0] * fo,
                    "dW": (w * 0.01).round(4).tolist() if small else None,
                    "db": [0.0] * fo,
                    "grad_norm": 0.1 * 0.3**i * math.exp(-t / 500),
                    "weight_norm": 1.0,
                    "update_ratio": 1e-3,
                    "saturated": 0.1 * i,
                    "dead": None,
                    "hist": h,
                }
            )
        f = {
            "type": "frame",
            "step": t,
            "epoch": t * c["batch_size"] / 250,
            "examples": t * c["batch_size"],
            "state": "running" if self.running else "paused",
            "learning_rate": c["learning_rate"],
            "train": {"loss": loss, "accuracy": 1 - loss / 1.4},
            "test": {"loss": loss * 1.1, "accuracy": 1 - loss / 1.3},
            "layers": layers,
            "boundary": None,
            "neurons": None,
            "mnist": None,
        }
        if mnist:
            f["mnist"] = {
                "weights": [grid(rng.normal(size=(28, 28))) for _ in range(16)],
                "confusion": rng.integers(0, 100, (10, 10)).tolist(),
                "samples": [
                    {"index": i, "label": i % 10, "pred": (i % 10) if i % 4 else 3, "probs": [0.1] * 10}
                    for i in range(12)
                ],
            }
        else:
            ys, xs = np.mgrid[-6:6:100j, -6:6:100j]
            a = t / 200
            v = np.cos(a) * xs + np.sin(a) * ys
            if self.n_classes() == 2:
                p = 1 / (1 + np.exp(-v * xs * ys / 8))
                cls = (p > 0.5).astype(float)
                conf = np.where(cls == 1, p, 1 - p)
            else:
                ang = (np.arctan2(ys, xs) + np.pi + a) / (2 * np.pi) * self.n_classes()
                cls = np.floor(ang) % self.n_classes()
                conf = 0.4 + 0.6 * np.abs(np.sin(ang * np.pi))
            f["boundary"] = {
                "xs_range": [-6, 6],
                "ys_range": [-6, 6],
                "classes": grid(cls, 0, self.n_classes() - 1),
                "confidence": grid(conf, 0, 1),
            }
            ys2, xs2 = np.mgrid[-6:6:25j, -6:6:25j]
            f["neurons"] = [
                [grid(np.tanh(np.cos(k + a) * xs2 + np.sin(k) * ys2 * (li + 1))) for k in range(w)]
                for li, w in enumerate(c["hidden_layers"])
            ]
        return f

    async def send(self, m):
        await self.ws.send_text(json.dumps(m))


@app.websocket("/ws")
async def ws_endpoint(ws: WebSocket):
    await ws.accept()
    s = Session(ws)
    await s.send(
        {"type": "hello", "session": "mock", "version": "mock", "config": s.config, "catalogue": CATALOGUE}
    )
    await s.send(s.dataset_msg())
    await s.send(s.frame())

    async def loop():
        while True:
            await asyncio.sleep(1 / 30)
            if s.running:
                s.step += s.config["speed"]
                await s.send(s.frame())

    task = asyncio.create_task(loop())
    try:
        while True:
            m = json.loads(await ws.receive_text())
            t = m.get("type")
            if t == "configure":
                bad = [k for k in m["config"] if k not in FIELDS]
                if bad:
                    await s.send({"type": "error", "code": "unknown_field", "field": bad[0], "message": f"unknown {bad[0]}"})
                    continue
                lr = m["config"].get("learning_rate")
                if lr is not None and not 1e-5 <= lr <= 10:
                    await s.send({"type": "error", "code": "out_of_range", "field": "learning_rate", "message": f"learning_rate must be between 1e-05 and 10; got {lr}"})
                    continue
                s.config.update(m["config"])
                if any(not FIELDS[k]["live"] for k in m["config"]):
                    s.step = 0
                    await s.send(s.dataset_msg())
                    await s.send({"type": "status", "state": "running" if s.running else "paused", "step": 0, "message": "", "rebuilt": True})
                    await s.send(s.frame())
            elif t in ("play", "pause"):
                s.running = t == "play"
                await s.send({"type": "status", "state": "running" if s.running else "paused", "step": s.step, "message": "", "rebuilt": False})
                await s.send(s.frame())
            elif t == "step":
                s.running = False
                s.step += m.get("n", 1)
                await s.send(s.frame())
            elif t == "reset":
                s.step = 0
                await s.send(s.frame())
            elif t == "predict":
                p = rng.dirichlet(np.ones(10)).tolist()
                await s.send({"type": "prediction", "probs": p, "class": int(np.argmax(p)), "hidden": []})
            elif t in ("add_point", "remove_point"):
                await s.send(s.dataset_msg())
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8766)
