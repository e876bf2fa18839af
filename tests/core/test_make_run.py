"""`make run`'s launcher (scripts/devserver.py): localstripe when there are no Stripe keys.

Each test runs a real localstripe on a free port with a temporary store and checks that it
answers, has the site's webhook registered (an event reaches a local endpoint, signed), and is
gone afterwards. The web server is replaced by a short command.
"""

import http.server
import importlib.util
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import stripe

from devtools import banner

BASE_DIR = Path(__file__).resolve().parents[2]
LAUNCHER = BASE_DIR / "scripts" / "devserver.py"

_spec = importlib.util.spec_from_file_location("devserver", LAUNCHER)
devserver = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devserver)

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_refuses(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def process_gone(pid: int, wait: float = 5.0) -> bool:
    """The process has ended (or ends within `wait` seconds: a process the launcher stopped
    may still be on its way out when a loaded machine runs the check)."""
    deadline = time.monotonic() + wait
    while not _process_ended(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _process_ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0); it no longer runs.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


class Endpoint:
    """A local HTTP endpoint that records what is POSTed to it (a stand-in for the site)."""

    def __init__(self, status: int = 200):
        received = self.received = queue.Queue()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.put((self.path, dict(self.headers), body))
                self.send_response(status)
                self.end_headers()

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{devserver.WEBHOOK_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    ep = Endpoint()
    yield ep
    ep.close()


def stripe_post(base_url: str, path: str, **data):
    request = urllib.request.Request(
        f"{base_url}{path}",
        urllib.parse.urlencode(data).encode(),
        headers={"Authorization": "Bearer sk_test_localstripe"},
    )
    with _opener.open(request, timeout=5) as response:
        return response.read()


def pay(base_url: str) -> None:
    """A successful card payment: localstripe sends payment_intent.succeeded."""
    pm = stripe_post(
        base_url,
        "/v1/payment_methods",
        **{
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2040",
            "card[cvc]": "123",
        },
    )
    pm_id = re.search(rb'"id": "(pm_\w+)"', pm).group(1).decode()
    stripe_post(
        base_url,
        "/v1/payment_intents",
        amount="150000",
        currency="rub",
        payment_method=pm_id,
        confirm="true",
    )


def next_event(endpoint: Endpoint, secret: str, type_: str):
    """The next event of that type at the endpoint, its signature checked with `secret`."""
    deadline = time.monotonic() + 5
    while True:
        _path, headers, body = endpoint.received.get(timeout=max(deadline - time.monotonic(), 0))
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], secret)
        if event.type == type_:
            return event


def test_starts_localstripe_registers_the_webhook_and_stops_cleanly(tmp_path, endpoint):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    store, log = tmp_path / "localstripe.pickle", tmp_path / "localstripe.log"
    assert devserver.probe(base_url) == "down"

    proc = devserver.ensure_localstripe(base_url, endpoint.url, "whsec_first", store, log, 10)
    try:
        assert proc is not None
        assert devserver.probe(base_url) == "localstripe"
        pay(base_url)
        event = next_event(endpoint, "whsec_first", "payment_intent.succeeded")
        assert event.data.object.amount == 150000

        # A second `make run` finds it answering: reuses it and registers the webhook again.
        second = Endpoint()
        try:
            assert (
                devserver.ensure_localstripe(base_url, second.url, "whsec_second", store, log)
                is None
            )
            pay(base_url)
            next_event(second, "whsec_second", "payment_intent.succeeded")
        finally:
            second.close()
    finally:
        devserver.stop_localstripe(proc)

    assert proc.returncode is not None
    assert process_gone(proc.pid)
    assert port_refuses(port)
    assert store.exists()  # the payments are kept for the next run


def _launcher_env(port: int, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRIPE_", "DJANGO_", "YOOKASSA_", "PAYMENT_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.dev",
        # Set, even empty, so that a developer's .env cannot change them.
        STRIPE_SECRET_KEY="",
        YOOKASSA_SHOP_ID="",
        YOOKASSA_SECRET_KEY="",
        # Stripe alone unless a test turns YooKassa on (with a port of its own).
        PAYMENT_PROVIDERS="stripe",
        STRIPE_WEBHOOK_SECRET="whsec_launcher",
        LOCALSTRIPE_URL=f"http://127.0.0.1:{port}",
        SITE_URL="",  # follows --addr
    )
    env.update(extra)
    return env


def _launcher(tmp_path, port, command, **env):
    return [
        sys.executable,
        str(LAUNCHER),
        "--addr",
        "127.0.0.1:8999",
        "--store",
        str(tmp_path / "store.pickle"),
        "--log",
        str(tmp_path / "localstripe.log"),
        "--localstripe-timeout",
        "8",
        "--yookassa-store",
        str(tmp_path / "yookassa.json"),
        "--yookassa-log",
        str(tmp_path / "yookassa.log"),
        "--",
        *command,
    ], _launcher_env(port, **env)


CHECK_JS = (
    "import sys, urllib.request as u;"
    "o = u.build_opener(u.ProxyHandler({}));"
    "print('localstripe answers', o.open(sys.argv[1] + '/js.stripe.com/v3/').status)"
)


def test_launcher_runs_the_server_with_localstripe_then_stops_it(tmp_path):
    port = free_port()
    cmd, env = _launcher(
        tmp_path, port, [sys.executable, "-c", CHECK_JS, f"http://127.0.0.1:{port}"]
    )
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=20)

    assert result.returncode == 0, result.stderr
    assert "Payments: TEST, via localstripe" in result.stdout
    assert "4242 4242 4242 4242" in result.stdout
    assert "localstripe answers 200" in result.stdout
    pid = int(re.search(r"started for this run \(pid (\d+)\)", result.stdout).group(1))
    assert process_gone(pid)
    assert port_refuses(port)


CHECK_YOOKASSA = (
    "import sys, json, urllib.request as u;"
    "o = u.build_opener(u.ProxyHandler({}));"
    "c = json.load(o.open(sys.argv[1] + '/_config'));"
    "print('yookassa notifies', c['notify_url'])"
)


def test_launcher_runs_the_local_yookassa_server_when_yookassa_is_on_then_stops_it(tmp_path):
    port, yookassa_port = free_port(), free_port()
    yookassa_url = f"http://127.0.0.1:{yookassa_port}"
    cmd, env = _launcher(
        tmp_path,
        port,
        [sys.executable, "-c", CHECK_YOOKASSA, yookassa_url],
        PAYMENT_PROVIDERS="yookassa,stripe",
        YOOKASSA_LOCAL_URL=yookassa_url,
    )
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)

    assert result.returncode == 0, result.stderr
    assert f"via the local YooKassa server at {yookassa_url}" in result.stdout
    assert "5555 5555 5555 4444" in result.stdout
    notifications = "http://127.0.0.1:8999/shop/payments/yookassa/notifications/"
    assert f"yookassa notifies {notifications}" in result.stdout
    pid = int(re.search(r"server +started for this run \(pid (\d+)\)", result.stdout).group(1))
    assert process_gone(pid)
    assert port_refuses(yookassa_port)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_launcher_stops_localstripe_when_the_server_is_stopped(tmp_path, how):
    port = free_port()
    cmd, env = _launcher(tmp_path, port, [sys.executable, "-c", "import time; time.sleep(60)"])
    launcher = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        output = ""
        while "Stop with Ctrl+C" not in output:
            line = launcher.stdout.readline()
            assert line, f"the launcher ended early:\n{output}"
            output += line
        pid = int(re.search(r"\(pid (\d+)\)", output).group(1))
        assert devserver.probe(f"http://127.0.0.1:{port}") == "localstripe"

        if how == "ctrl-c":  # the terminal signals its whole foreground process group
            os.killpg(launcher.pid, signal.SIGINT)
        else:  # a process manager signals the launcher alone
            launcher.send_signal(signal.SIGTERM)
        # Beyond the launcher's own patience (localstripe 5 s to stop, then killed; the local
        # YooKassa server 10 s): on a busy machine stopping takes seconds, never forever.
        launcher.wait(timeout=30)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        launcher.stdout.close()

    assert process_gone(pid)
    assert port_refuses(port)


def test_with_stripe_keys_localstripe_is_not_started(tmp_path):
    port = free_port()
    check = (
        "import socket, sys; s = socket.socket();"
        "print('port free' if s.connect_ex(('127.0.0.1', int(sys.argv[1]))) else 'port busy')"
    )
    cmd, env = _launcher(
        tmp_path,
        port,
        [sys.executable, "-c", check, str(port)],
        STRIPE_SECRET_KEY="sk_test_example",
        STRIPE_PUBLISHABLE_KEY="pk_test_example",
        STRIPE_WEBHOOK_SECRET="whsec_example",
    )
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=20)

    assert result.returncode == 0, result.stderr
    assert "port free" in result.stdout
    assert "Payments: TEST, via Stripe with test keys" in result.stdout
    assert "localstripe" not in result.stdout
    assert not (tmp_path / "localstripe.log").exists()


SHOW_SITE_URL = (
    "import django; django.setup(); from django.conf import settings;"
    "print('links to', settings.WAGTAILADMIN_BASE_URL)"
)
WITH_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
}


@pytest.mark.parametrize(
    ("site_url", "links"),
    [("", "http://127.0.0.1:8999"), ("https://tours.example.org", "https://tours.example.org")],
    ids=["follows --addr", "explicit SITE_URL wins"],
)
def test_links_point_at_the_address_the_server_runs_on(tmp_path, site_url, links):
    cmd, env = _launcher(
        tmp_path, free_port(), [sys.executable, "-c", SHOW_SITE_URL], SITE_URL=site_url, **WITH_KEYS
    )
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30, cwd=BASE_DIR)

    assert result.returncode == 0, result.stderr
    assert f"links to {links}\n" in result.stdout
    assert "Site (Russian)      http://127.0.0.1:8999/" in result.stdout  # the banner
    assert ":8000" not in result.stdout


@pytest.mark.parametrize(
    ("addr", "site"),
    [
        ("127.0.0.1:8101", "http://127.0.0.1:8101"),
        ("8101", "http://127.0.0.1:8101"),
        ("0.0.0.0:8101", "http://127.0.0.1:8101"),
        ("localhost:8102", "http://localhost:8102"),
    ],
)
def test_the_site_url_of_a_runserver_address(addr, site):
    assert devserver.site_url(addr) == site


def test_site_url_in_dot_env_counts_as_set(tmp_path):
    env_file = tmp_path / ".env"
    assert not devserver.site_url_is_set({}, env_file)
    env_file.write_text("DEBUG=true\n# SITE_URL=http://old\n")
    assert not devserver.site_url_is_set({}, env_file)
    env_file.write_text("DEBUG=true\nexport SITE_URL='https://tours.example.org'\n")
    assert devserver.site_url_is_set({}, env_file)
    assert not devserver.site_url_is_set({"SITE_URL": ""}, env_file)  # the environment wins


def test_a_port_taken_by_something_else_is_a_clear_error(tmp_path):
    other = Endpoint(status=404)
    try:
        port = other.server.server_port
        marker = tmp_path / "server-ran"
        cmd, env = _launcher(tmp_path, port, ["touch", str(marker)])
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=20)
    finally:
        other.close()

    assert result.returncode == 1
    assert "not localstripe answers at" in result.stderr
    assert "LOCALSTRIPE_URL" in result.stderr
    assert not marker.exists()


def test_the_banner_says_which_payments_are_live():
    local = SimpleNamespace(
        STRIPE_LOCAL=True, STRIPE_TEST_MODE=True, LOCALSTRIPE_URL="http://127.0.0.1:8420"
    )
    text = banner.payments(local)
    assert "localstripe (a fake Stripe) at http://127.0.0.1:8420" in text
    assert "no real money is taken" in text
    for card in ("4242 4242 4242 4242", "4000 0000 0000 0341", "4000 0025 0000 3155"):
        assert card in text
    assert "http://127.0.0.1:8000/shop/payments/stripe/webhook/" in text

    live = SimpleNamespace(STRIPE_LOCAL=False, STRIPE_TEST_MODE=False, LOCALSTRIPE_URL="")
    text = banner.payments(live)
    assert "REAL" in text
    assert "4242" not in text
