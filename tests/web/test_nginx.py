"""deploy/nginx.conf in front of two local replicas: tabs are spread over both, and each
tab's uploads reach the replica that holds its session."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import websockets

from tests.live_server import free_port, start_app
from tests.web.test_live import _next, run_in_thread

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CSV = "a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60))

pytestmark = pytest.mark.skipif(
    NGINX is None and os.environ.get("CI") != "true", reason="nginx is not installed"
)


def wait_http(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None, f"{url} did not start"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def balanced(tmp_path_factory):
    """http base URL of nginx (deploy/nginx.conf) over two replicas on free ports."""
    assert NGINX, "CI needs nginx: .ci/run installs it"
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "logs").mkdir()
    (prefix / "tmp").mkdir()
    ports = [free_port(), free_port()]
    front = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("127.0.0.1:8001", f"127.0.0.1:{ports[0]}")
    conf = conf.replace("127.0.0.1:8002", f"127.0.0.1:{ports[1]}")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{front};")
    (prefix / "nginx.conf").write_text(conf)
    # one state folder for both, as replicas on one machine share the user's: class records
    # there keep codes unique across them (other tests' classes aside)
    env = {**os.environ, "BP_STATE_DIR": str(prefix / "state")}
    procs = []
    try:
        for p in ports:
            procs.append(start_app(env=env, port=p, workers=1)[0])
        nginx = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(nginx)
        wait_http(f"http://127.0.0.1:{front}/api/health", nginx)
        yield f"127.0.0.1:{front}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def test_the_page_comes_through_the_balancer(balanced):
    r = httpx.get(f"http://{balanced}/")
    assert r.status_code == 200 and "Backprop Playground" in r.text


def test_tabs_spread_over_replicas_and_uploads_reach_their_session(balanced):
    async def tab(source: str) -> tuple[int, int]:
        """A browser at address `source`: open the socket, upload a CSV, see it arrive."""
        async with websockets.connect(
            f"ws://{balanced}/ws", origin=f"http://{balanced}", local_addr=(source, 0)
        ) as ws:
            hello = json.loads(await ws.recv())
            transport = httpx.AsyncHTTPTransport(local_address=source)
            async with httpx.AsyncClient(transport=transport, timeout=60) as client:
                r = await client.post(
                    f"http://{balanced}/api/sessions/{hello['session']}/upload",
                    files={"file": ("t.csv", CSV, "text/csv")},
                )
            assert r.status_code == 200, r.text
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "dataset" and msg["name"] == "custom":
                    return hello["worker"], msg["n_train"]

    results = []

    async def classroom():
        results.extend(await asyncio.gather(*(tab(f"127.0.0.{i}") for i in range(2, 14))))

    run_in_thread(classroom)  # the browser tests keep an event loop on the main thread
    assert len({worker for worker, _ in results}) == 2, "every tab went to one replica"
    assert all(n == results[0][1] for _, n in results)


def test_a_class_lives_in_one_replica_whatever_the_students_addresses(balanced):
    """The join code routes: the teacher and students from 12 addresses meet in one replica,
    and a student's upload (with the page's bp_class cookie) reaches their session."""
    base = f"ws://{balanced}/ws"
    origin = f"http://{balanced}"

    async def scenario():
        async with websockets.connect(
            f"{base}?teach=1&class=K7Q2", origin=origin, local_addr=("127.0.0.2", 0)
        ) as teacher:
            worker = (await _next(teacher, "hello", timeout=30))["worker"]
            await teacher.send(json.dumps({"type": "class_open", "code": "K7Q2"}))
            code = (await _next(teacher, "class", timeout=30))["code"]
            assert code == "K7Q2"

            async def student(i: int) -> tuple[int, str]:
                source = f"127.0.0.{i}"
                async with websockets.connect(
                    f"{base}?class={code}", origin=origin, local_addr=(source, 0)
                ) as ws:
                    hello = await _next(ws, "hello", timeout=30)
                    await ws.send(json.dumps({"type": "class_join", "code": code, "name": f"S{i}"}))
                    await _next(ws, "class_joined", timeout=30)
                    transport = httpx.AsyncHTTPTransport(local_address=source)
                    async with httpx.AsyncClient(
                        transport=transport, timeout=60, cookies={"bp_class": code}
                    ) as client:
                        r = await client.post(
                            f"http://{balanced}/api/sessions/{hello['session']}/upload",
                            files={"file": ("t.csv", CSV, "text/csv")},
                        )
                    return hello["worker"], r.status_code

            return worker, await asyncio.gather(*(student(i) for i in range(3, 15)))

    out = []
    run_in_thread(lambda: _collect(scenario, out))
    worker, students = out[0]
    assert all(w == worker for w, _ in students), "a student reached another replica"
    assert all(status == 200 for _, status in students)


async def _collect(scenario, out: list) -> None:
    out.append(await scenario())
