#!/usr/bin/env python
"""`make run`: localstripe and the local YooKassa server (when there are no keys), then the
development server.

With no STRIPE_SECRET_KEY (in the environment or in `.env`) the site takes test payments from
localstripe, a fake Stripe (devtools/localstripe_server.py). This launcher

1. reads the payment settings the site will use (shop.settings.dev unless
   DJANGO_SETTINGS_MODULE says otherwise);
2. in that local mode, reuses a localstripe already answering at LOCALSTRIPE_URL (and
   registers the site's webhook with it again) or starts one on 127.0.0.1 (data in
   var/localstripe.pickle, log in var/localstripe.log) and waits until it answers; with
   --demo-orders it then places the demo orders, paid through it (once); with real keys it
   starts nothing;
   likewise, with YooKassa on (PAYMENT_PROVIDERS) and no YooKassa keys, reuses the local
   YooKassa server answering at YOOKASSA_LOCAL_URL or starts one (devtools/yookassa: data in
   var/yookassa.json, log in var/yookassa.log), sending its notifications to this site;
3. with --worker, starts the task worker (`manage.py db_worker`, log in var/worker.log)
   that sends the queued customer e-mails, unless TASKS_IMMEDIATE is set;
4. prints the banner (devtools/banner.py) and runs `manage.py runserver`;
5. when the server stops (Ctrl+C, SIGTERM, an error) stops the worker, the localstripe and
   the YooKassa server it started.

    python scripts/devserver.py [--addr 127.0.0.1:8000] [--worker] [--demo-orders]
                                [--yookassa-store PATH] [--yookassa-log PATH]
                                [-- COMMAND instead of runserver]
"""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
WEBHOOK_PATH = "/shop/payments/stripe/webhook/"
YOOKASSA_NOTIFICATION_PATH = "/shop/payments/yookassa/notifications/"
WEBHOOK_ID = "site"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Loopback requests never go through an HTTP(S)_PROXY from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LaunchError(Exception):
    """Something the person running `make run` has to fix; the message says what."""


def site_url(addr: str) -> str:
    """The address a browser reaches runserver's `addr` at ("8101", "0.0.0.0:8101" and
    "127.0.0.1:8101" all become http://127.0.0.1:8101)."""
    host, _sep, port = addr.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def site_url_is_set(environ, env_file: Path) -> bool:
    """Whether SITE_URL is given explicitly, in the environment or in `.env`."""
    if "SITE_URL" in environ:  # the environment wins over .env, even when empty
        return bool(environ["SITE_URL"])
    if not env_file.is_file():
        return False
    for line in env_file.read_text().splitlines():
        name, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and name.strip() == "SITE_URL" and value.strip().strip("'\""):
            return True
    return False


def load_settings():
    """The Django settings the server will run with (reads `.env` as the site does)."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.STRIPE_LOCAL  # noqa: B018 (imports the settings module)
    except ImproperlyConfigured as exc:
        raise LaunchError(f"settings: {exc}") from exc
    return settings


def probe(base_url: str, timeout: float = 1.0) -> str:
    """What answers at base_url: "localstripe", "down" (nothing listens) or "other"."""
    try:
        with _opener.open(f"{base_url}/js.stripe.com/v3/", timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError:
        return "other"
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError | FileNotFoundError):
            return "down"
        return "other"
    except ConnectionRefusedError:
        return "down"
    except (OSError, http.client.HTTPException):
        return "other"
    return "localstripe" if b"localstripe" in body else "other"


def register_webhook(base_url: str, url: str, secret: str) -> None:
    """(Re-)register the site's endpoint: localstripe signs its events with `secret`."""
    data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    try:
        with _opener.open(f"{base_url}/_config/webhooks/{WEBHOOK_ID}", data, timeout=5):
            pass
    except (OSError, http.client.HTTPException) as exc:
        raise LaunchError(f"could not register the webhook with {base_url}: {exc}") from exc


def _die_with_parent() -> None:
    """In the child: on Linux, get SIGTERM if the launcher dies without cleaning up."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_localstripe(
    port: int, store: Path | None, log: Path, webhook_url: str, secret: str
) -> subprocess.Popen:
    """Start devtools.localstripe_server on 127.0.0.1:port in its own session.

    Its own session, so that a Ctrl+C in the terminal reaches the web server only: the
    launcher stops localstripe itself once the server has stopped.
    """
    cmd = [sys.executable, "-m", "devtools.localstripe_server", "--port", str(port)]
    if store is not None:
        store.parent.mkdir(parents=True, exist_ok=True)
        cmd += ["--store", str(store)]
    cmd += ["--webhook-url", webhook_url, "--webhook-secret", secret]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as log_file:
        return subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def stop_localstripe(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """SIGTERM (aiohttp shuts down cleanly), then SIGKILL after `timeout` seconds."""
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\n".join("    " + line for line in text)


def wait_until_ready(proc: subprocess.Popen, base_url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise LaunchError(
                f"localstripe exited with code {proc.returncode} before answering at "
                f"{base_url}; the end of {log}:\n{_log_tail(log)}"
            )
        if probe(base_url, timeout=0.5) == "localstripe":
            return
        if time.monotonic() > deadline:
            stop_localstripe(proc)
            raise LaunchError(
                f"localstripe did not answer at {base_url}/js.stripe.com/v3/ within "
                f"{timeout:g} s; the end of {log}:\n{_log_tail(log)}"
            )
        time.sleep(0.1)


def ensure_localstripe(
    base_url: str,
    webhook_url: str,
    secret: str,
    store: Path | None,
    log: Path,
    timeout: float = 20.0,
) -> subprocess.Popen | None:
    """Make localstripe answer at base_url with the site's webhook registered.

    Returns the process started, or None when one was already running.
    """
    base_url = base_url.rstrip("/")
    parts = urllib.parse.urlsplit(base_url)
    state = probe(base_url)
    if state == "localstripe":
        register_webhook(base_url, webhook_url, secret)
        return None
    if state == "other":
        raise LaunchError(
            f"something that is not localstripe answers at {base_url}. Stop it, or set "
            "LOCALSTRIPE_URL (environment or .env) to a free port such as "
            "http://127.0.0.1:8421."
        )
    if parts.hostname not in LOOPBACK or parts.scheme != "http" or not parts.port:
        raise LaunchError(
            f"nothing answers at LOCALSTRIPE_URL={base_url}; this launcher starts localstripe "
            "only on http://127.0.0.1:<port>. Start it there yourself or change the setting."
        )
    proc = start_localstripe(parts.port, store, log, webhook_url, secret)
    try:
        wait_until_ready(proc, base_url, log, timeout)
    except BaseException:
        stop_localstripe(proc)
        raise
    return proc


def ensure_yookassa(settings, notify_url: str, store: Path, log: Path, timeout: float):
    """Make the local YooKassa server answer at YOOKASSA_LOCAL_URL, with the site's shop id,
    secret key and notification address. Returns the server it started, or None when one
    already answered (reused, told again where to send notifications)."""
    from devtools.yookassa import launcher

    base_url = settings.YOOKASSA_LOCAL_URL
    credentials = {"shop_id": settings.YOOKASSA_SHOP_ID, "secret_key": settings.YOOKASSA_SECRET_KEY}
    if launcher.answers(base_url):
        launcher.YooKassaServer(url=base_url, **credentials).configure(
            notify_url=notify_url, **credentials
        )
        return None
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname not in LOOPBACK or not parts.port:
        raise LaunchError(
            f"nothing answers at YOOKASSA_LOCAL_URL={base_url}; this launcher starts the local "
            "YooKassa server on 127.0.0.1 only: set YOOKASSA_LOCAL_URL to "
            "http://127.0.0.1:<free port>."
        )
    store.parent.mkdir(parents=True, exist_ok=True)
    try:
        return launcher.start(
            port=parts.port,
            notify_url=notify_url,
            store=store,
            log=log,
            timeout=timeout,
            **credentials,
        )
    except RuntimeError as exc:
        raise LaunchError(
            f"{exc}. Stop what uses it, or set YOOKASSA_LOCAL_URL (environment or .env) to a "
            "free port such as http://127.0.0.1:8431."
        ) from None


def start_worker(log: Path) -> subprocess.Popen:
    """The task worker, in its own session like localstripe (stopped by the launcher)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "1"],
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


def _shown(path: Path) -> str:
    """A path as short as possible: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(BASE_DIR))
    except ValueError:
        return str(path)


def run_server(cmd: list[str]) -> int:
    """Run the web server in the foreground; pass a stop request on to it as SIGINT.

    The server stays in the terminal's process group, so Ctrl+C reaches it (and the
    autoreloader's child) directly. SIGINT, SIGTERM or SIGHUP sent to the launcher alone is
    passed on as SIGINT, which Django's autoreloader handles by stopping its child too; a
    second one is passed on as SIGTERM. The handlers are installed before the server starts,
    so that it starts with SIGINT at its default even when the launcher was started with
    SIGINT ignored (as `cmd &` does in a script).
    """
    server: subprocess.Popen | None = None
    requests = 0

    def stop(signum, frame):
        nonlocal requests
        requests += 1
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT if requests == 1 else signal.SIGTERM)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop) for sig in handled}
    try:
        server = subprocess.Popen(cmd, cwd=BASE_DIR)
        if requests:  # asked to stop while starting
            server.send_signal(signal.SIGINT)
        rc = server.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if rc < 0:  # killed by a signal
        rc = 128 - rc
    return rc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:8000", help="runserver address")
    parser.add_argument("--store", type=Path, default=BASE_DIR / "var" / "localstripe.pickle")
    parser.add_argument("--log", type=Path, default=BASE_DIR / "var" / "localstripe.log")
    parser.add_argument("--localstripe-timeout", type=float, default=20.0)
    parser.add_argument("--yookassa-store", type=Path, default=BASE_DIR / "var" / "yookassa.json")
    parser.add_argument("--yookassa-log", type=Path, default=BASE_DIR / "var" / "yookassa.log")
    parser.add_argument(
        "--worker", action="store_true", help="also run the task worker (db_worker)"
    )
    parser.add_argument(
        "--demo-orders",
        action="store_true",
        help="place the demo orders through localstripe once it answers",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND to run instead")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        command = [sys.executable, "manage.py", "runserver", args.addr]
    site = site_url(args.addr)
    if not site_url_is_set(os.environ, BASE_DIR / ".env"):
        # Links in e-mails, tickets and the admin point at this server (the settings read
        # SITE_URL); the server, the worker and the demo orders all inherit it.
        os.environ["SITE_URL"] = site

    localstripe = worker = yookassa = None
    try:
        settings = load_settings()
        if (
            args.worker
            and settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
        ):
            worker = start_worker(BASE_DIR / "var" / "worker.log")
        # First, so that the demo orders (below) may be paid through it too.
        yookassa_how = ""
        if settings.YOOKASSA_LOCAL and "yookassa" in settings.PAYMENT_PROVIDERS:
            yookassa = ensure_yookassa(
                settings,
                f"{site}{YOOKASSA_NOTIFICATION_PATH}",
                args.yookassa_store,
                args.yookassa_log,
                args.localstripe_timeout,
            )
            yookassa_how = (
                f"started for this run (pid {yookassa.process.pid}), stopped with the server"
                if yookassa is not None
                else "already running: reused, told where to send notifications"
            )
        if settings.STRIPE_LOCAL:
            localstripe = ensure_localstripe(
                settings.LOCALSTRIPE_URL,
                f"{site}{WEBHOOK_PATH}",
                settings.STRIPE_WEBHOOK_SECRET,
                args.store,
                args.log,
                args.localstripe_timeout,
            )
            if args.demo_orders and settings.DEMO_DATA_ALLOWED:
                # A few paid orders for the workspace (once: later runs find them).
                subprocess.run(
                    [sys.executable, "manage.py", "load_demo_orders"], cwd=BASE_DIR, check=False
                )
            if localstripe is not None:
                how = (
                    f"started for this run (pid {localstripe.pid}), stopped with the server\n"
                    f"data {_shown(args.store)}, log {_shown(args.log)}"
                )
            else:
                how = "already running: reused, webhook registered again"
        else:
            how = ""
        from devtools import banner

        print(
            banner.render(settings, localstripe=how, site=site, yookassa=yookassa_how),
            flush=True,
        )
        return run_server(command)
    except LaunchError as exc:
        print(f"\nmake run: {exc}\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if worker is not None:
            stop_localstripe(worker)  # the same SIGTERM-then-SIGKILL to its session
        if localstripe is not None:
            stop_localstripe(localstripe)
        if yookassa is not None:
            yookassa.stop()


if __name__ == "__main__":
    sys.exit(main())
