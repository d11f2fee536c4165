"""A byte-counting TCP proxy on loopback: what a page costs on the wire.

Every connection from the browser is forwarded to 127.0.0.1:`target`; bytes from the server
to the browser are counted per kind of connection: a WebSocket (its request says
`Upgrade: websocket`) or plain HTTP. Compression (gzip, permessage-deflate) is what it is:
the bytes counted are the bytes sent.
"""

from __future__ import annotations

import asyncio
import threading


class Proxy:
    """`with Proxy(target) as p:` listens on p.port until the block ends."""

    def __init__(self, target: int):
        self.target = target
        self.port = 0
        self.counts = {"http": 0, "ws": 0}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def reset(self) -> None:
        self.counts = {"http": 0, "ws": 0}

    def http_bytes(self) -> int:
        return self.counts["http"]

    def ws_bytes(self) -> int:
        return self.counts["ws"]

    def __enter__(self) -> Proxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, client_r, client_w) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            client_w.close()
            return
        kind = {"k": "http"}

        async def up() -> None:  # browser -> server: learn what the connection is
            while data := await client_r.read(65536):
                if b"upgrade: websocket" in data.lower():
                    kind["k"] = "ws"
                server_w.write(data)
                await server_w.drain()
            server_w.close()

        async def down() -> None:  # server -> browser: count
            while data := await server_r.read(65536):
                self.counts[kind["k"]] += len(data)
                client_w.write(data)
                await client_w.drain()
            client_w.close()

        await asyncio.gather(up(), down(), return_exceptions=True)
