"""Start the local YooKassa server from Python, wait until it answers, talk to its controls,
stop it. For `make run` and the test session:

    server = launcher.start(port=8430, notify_url="http://127.0.0.1:8000/…", store=Path(…))
    Configuration.configure(server.shop_id, server.secret_key, api_url=server.api_url)
    …
    server.stop()

or `with launcher.start() as server: …`. `answers(url)` tells whether a YooKassa server
already listens there (to reuse one started in another terminal).
"""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(url: str, method: str = "GET", data: dict | None = None, timeout: float = 5):
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def answers(url: str) -> bool:
    """A local YooKassa server answers at `url` (its controls say who it is)."""
    try:
        return "shop_id" in _call(f"{url}/_config", timeout=1)
    except (OSError, ValueError):
        return False


@dataclass
class YooKassaServer:
    url: str
    shop_id: str
    secret_key: str
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v3"

    def configure(self, **settings) -> dict:
        """Change settings at run time (see config.py): notify_url, receipt_delay, …"""
        return _call(f"{self.url}/_config", "POST", settings)

    def control(self, path: str, data: dict | None = None, method: str | None = None):
        """Call a control: `control("/_test/clock", {"advance_seconds": 60})`."""
        return _call(f"{self.url}{path}", method or ("POST" if data is not None else "GET"), data)

    def reset(self) -> None:
        self.control("/_test/reset", {})

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(
    *,
    port: int | None = None,
    shop_id: str = Config.shop_id,
    secret_key: str = Config.secret_key,
    notify_url: str = "",
    store: Path | None = None,
    log: Path | None = None,
    extra_args: tuple[str, ...] = (),
    timeout: float = 20,
) -> YooKassaServer:
    """Start a server on 127.0.0.1:`port` (a free one if None) and wait until it answers.
    Its output goes to `log` (discarded without one)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with socket.socket() as probe:
        # As the server binds: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(
                f"127.0.0.1:{port} is taken (answers() tells if by a YooKassa server)"
            ) from None
    command = [sys.executable, "-m", "devtools.yookassa", "--port", str(port)]
    command += ["--shop-id", shop_id, "--secret-key", secret_key]
    if notify_url:
        command += ["--notify-url", notify_url]
    if store:
        command += ["--store", str(store)]
    command += list(extra_args)
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - kept by the child
    process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    if log:
        output.close()
    server = YooKassaServer(url=url, shop_id=shop_id, secret_key=secret_key, process=process)
    deadline = time.monotonic() + timeout
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            where = f"; see {log}" if log else ""
            raise RuntimeError(f"the local YooKassa server did not start on {url}{where}")
        time.sleep(0.1)
    return server
