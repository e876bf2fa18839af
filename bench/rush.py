"""A festival-day rush: many customers at once try to book the last seats of one departure,
each over HTTP through the whole flow a browser takes (booking form, guest checkout, a card
payment, the return page). With both providers on, the customers take turns: one pays with
a foreign card through Stripe (localstripe), the next with a Russian card on YooKassa's card
page (the local YooKassa server), and so on.

Used by tests/concurrency/test_booking_rush.py against gunicorn, and runnable by hand against
a site whose payment providers are the local ones (`make run` starts both):

    python -m bench.rush --site http://127.0.0.1:8000 --localstripe http://127.0.0.1:8420 \\
        --tour 12 --departure 34 --customers 200 --provider both

Only loopback addresses are accepted (YooKassa's card page too); the run stops by itself when
every customer is done.
"""

import argparse
import contextlib
import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

import requests

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SOLD_OUT_WORDS = ("распродан", "не осталось", "sold out", "Недостаточно мест", "мест нет")
# --provider: which way the customers pay; with both, they take turns (see rush()).
PROVIDERS = {"stripe": ("stripe",), "yookassa": ("yookassa",), "both": ("stripe", "yookassa")}
YOOKASSA_CARD_OK = "5555555555554444"  # the local YooKassa server's card that succeeds


@dataclass
class Outcome:
    customer: int
    provider: str = "stripe"  # stripe or yookassa
    result: str = "unknown"  # paid, refused, error
    statuses: list[int] = field(default_factory=list)
    message: str = ""
    order_number: str = ""
    milliseconds: list[float] = field(default_factory=list)  # each request to the site


class Customer:
    """One visitor. With several sites (app servers sharing one database), each request goes
    to the next one: nothing may depend on which server answers."""

    def __init__(
        self, number: int, site: str | list[str], localstripe: str, provider: str = "stripe"
    ):
        self.outcome = Outcome(customer=number, provider=provider)
        self.sites = [s.rstrip("/") for s in ([site] if isinstance(site, str) else site)]
        self.turn = number
        self.localstripe = (localstripe or "").rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only, never through a proxy

    def _record(self, response):
        for step in (*response.history, response):
            self.outcome.statuses.append(step.status_code)
            self.outcome.milliseconds.append(step.elapsed.total_seconds() * 1000)
        return response

    @property
    def site(self) -> str:
        self.turn += 1
        return self.sites[self.turn % len(self.sites)]

    def get(self, path, **kwargs):
        return self._record(self.http.get(self.site + path, timeout=120, **kwargs))

    def post(self, path, data=None, **kwargs):
        site = self.site
        headers = kwargs.pop("headers", {})
        headers.setdefault("X-CSRFToken", self.http.cookies.get("csrftoken", ""))
        headers.setdefault("Referer", site + path)
        return self._record(
            self.http.post(site + path, data=data, headers=headers, timeout=120, **kwargs)
        )

    def token(self) -> tuple[str, str]:
        answer = requests.post(
            self.localstripe + "/v1/tokens",
            data={
                "key": "pk_test_localstripe",
                "card[number]": "4242424242424242",
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
            timeout=60,
        ).json()
        return answer["id"], answer["card"]["id"]

    def run(self, tour: int, departure: int) -> Outcome:
        try:
            self._run(tour, departure)
        except Exception as error:  # noqa: BLE001 - everything the customer sees counts
            self.outcome.result = "error"
            self.outcome.message = f"{type(error).__name__}: {error}"
        return self.outcome

    def _refused(self, html: str) -> bool:
        text = _messages(html)
        self.outcome.message = text
        if any(word.lower() in text.lower() for word in SOLD_OUT_WORDS):
            self.outcome.result = "refused"
            return True
        return False

    def _run(self, tour: int, departure: int) -> None:
        number = self.outcome.customer
        book = f"/shop/tours/{tour}/book/?departure={departure}"
        page = self.get(book)
        if "/book/" not in page.url:  # sent back to the tour page: closed or sold out
            if self._refused(page.text):
                return
            raise RuntimeError(f"no booking page: {page.url} {_messages(page.text)}")
        answer = self.post(
            book,
            {
                "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""),
                "departure": departure,
                "booking_ref": uuid.uuid4().hex,
                "tickets_adult": 1,
                "lead_name": f"Турист {number}",
                "lead_phone": "+7 914 000-00-00",
                "participants": "",
            },
        )
        if not answer.url.endswith("/shop/basket/"):
            if self._refused(answer.text):
                return
            raise RuntimeError(f"booking not added: {answer.url} {_messages(answer.text)}")
        checkout = self.get("/shop/checkout/")
        if checkout.url.endswith("/shop/checkout/"):
            checkout = self.post(
                "/shop/checkout/",
                {
                    "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""),
                    "username": f"rush{number}@example.com",
                    "options": "anonymous",
                },
            )
        if "/payment-details/" not in checkout.url:
            page = self.get("/shop/checkout/payment-details/")
        else:
            page = checkout
        if "/payment-details/" not in page.url:
            if self._refused(page.text):
                return
            raise RuntimeError(f"no payment page: {page.url} {_messages(page.text)}")
        pay = self._pay_yookassa if self.outcome.provider == "yookassa" else self._pay_stripe
        back = pay()
        if back is None:
            return
        done = self.get(back)  # a path: the next server answers it
        if "/thank-you/" in done.url:
            self.outcome.result = "paid"
            found = re.search(r"\b(1\d{5})\b", done.text)
            self.outcome.order_number = found.group(1) if found else ""
            return
        if not self._refused(done.text):
            raise RuntimeError(f"after paying: {done.url} {_messages(done.text)}")

    def _pay_stripe(self) -> str | None:
        """The card form: a token from (local)Stripe.js, then the shop authorises it. The
        path to return to, or None when the customer was told the seats are gone."""
        token_id, card_id = self.token()
        start = self.post(
            "/shop/checkout/payment/start/",
            data=json.dumps({"token": token_id, "card": card_id, "consent": True}),
            headers={"Content-Type": "application/json"},
        )
        try:
            body = start.json()
        except ValueError:
            # Sent back to the basket (its seats sold out while this customer checked out).
            if self._refused(start.text):
                return None
            raise RuntimeError(f"payment start: {start.url} {_messages(start.text)}") from None
        if body.get("status") != "authorized":
            if self._refused(body.get("message", "")):
                return None
            raise RuntimeError(f"payment not authorised: {start.status_code} {body}")
        return body["return_url"]

    def _pay_yookassa(self) -> str | None:
        """ "Russian card or SBP" → card: the shop creates the payment and sends the customer
        to YooKassa's card page, where the card is typed in; YooKassa sends them back. The
        path to return to, or None when the customer was told the seats are gone."""
        start = self.post(
            "/shop/checkout/payment/yookassa/",
            data={
                "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""),
                "consent": "1",
                "method": "card",
            },
            allow_redirects=False,
        )
        card_page = start.headers.get("Location", "")
        if start.status_code != 303 or not urlsplit(card_page).hostname:
            # Sent back to the payment page or the basket, with the reason.
            page = self.get(urlsplit(card_page).path or "/shop/checkout/payment-details/")
            if self._refused(page.text):
                return None
            raise RuntimeError(f"payment start: {start.status_code} {_messages(page.text)}")
        if urlsplit(card_page).hostname not in LOOPBACK:
            raise RuntimeError(f"{card_page}: YooKassa's page is reached on loopback only")
        confirmed = self.http.post(
            card_page,
            data={"number": YOOKASSA_CARD_OK, "expiry": "12/34", "csc": "123"},
            allow_redirects=False,
            timeout=120,
        )
        if confirmed.status_code != 303:
            raise RuntimeError(f"YooKassa's card page: {confirmed.status_code}")
        back = urlsplit(confirmed.headers["Location"])
        return back.path + (f"?{back.query}" if back.query else "")


def _messages(html: str) -> str:
    """The alert messages on a page (or a JSON message), as plain text."""
    parts = re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, flags=re.S)
    parts = [re.sub(r"<button.*?</button>", " ", part, flags=re.S) for part in parts]
    text = " ".join(re.sub(r"<[^>]+>", " ", part) for part in parts) or html[:300]
    return " ".join(unescape(text).split())


def rush(
    *,
    site: str | list[str],
    localstripe: str,
    tour: int,
    departure: int,
    customers: int,
    providers: tuple[str, ...] = PROVIDERS["stripe"],
) -> list[Outcome]:
    """The customers pay through `providers` in turn, each provider's spread evenly over the
    sites: customer n starts at site n + 1 and takes the next site at each step, so with two
    sites and customers alternating one by one, every Stripe customer would meet the other
    server than every YooKassa customer at each step, and one provider's group reach the last
    seats first every time."""
    sites = [site] if isinstance(site, str) else list(site)
    for url in (*sites, *([localstripe] if "stripe" in providers else [])):
        if urlsplit(url).hostname not in LOOPBACK:
            raise SystemExit(f"{url}: load is sent to loopback addresses only")
    people = [
        Customer(n, site, localstripe, providers[n // len(sites) % len(providers)])
        for n in range(customers)
    ]
    with ThreadPoolExecutor(max_workers=customers) as pool:
        return list(pool.map(lambda c: c.run(tour, departure), people))


def summary(outcomes: list[Outcome], seconds: float) -> dict:
    """What a rush came to: customers by result, 5xx responses, request latencies."""
    results = {}
    for outcome in outcomes:
        results[outcome.result] = results.get(outcome.result, 0) + 1
    latencies = sorted(ms for o in outcomes for ms in o.milliseconds)

    def percentile(share):
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] if latencies else 0

    return {
        "customers": len(outcomes),
        "seconds": seconds,
        "results": results,
        "server_errors": sum(1 for o in outcomes for s in o.statuses if s >= 500),
        "requests": len(latencies),
        "p50": percentile(0.50),
        "p99": percentile(0.99),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server(str):
    """The server's address, with its master process id (to signal its workers)."""

    pid: int

    def workers(self) -> list[int]:
        """The master's children, read from /proc (a bare Debian has no pgrep)."""
        children = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # "pid (name) state ppid ...": the name may hold spaces and parentheses.
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if parent == self.pid:
                children.append(int(entry))
        return sorted(children)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def _running(cmd, *, name: str, ready, wait: float, env=None, log=None):
    """`cmd` in a session of its own until the block ends (SIGTERM, then SIGKILL, to the whole
    group); yields once `ready()` is true, or raises if it exits or `wait` seconds pass."""
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + wait
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")
            try:
                if ready():
                    break
            except (OSError, requests.RequestException):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer in {wait:.0f} s")
            time.sleep(0.2)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _answers(url: str) -> bool:
    requests.get(url, timeout=2).raise_for_status()
    return True


@contextlib.contextmanager
def gunicorn(env: dict, *, workers: int = 4, port: int | None = None, log=None):
    """gunicorn serving the site on 127.0.0.1 until the block ends; yields its address."""
    port = port or free_port()
    cmd = [
        *(sys.executable, "-m", "gunicorn", "shop.wsgi", "--bind", f"127.0.0.1:{port}"),
        *("--workers", str(workers), "--timeout", "120", "--graceful-timeout", "5"),
    ]
    url = f"http://127.0.0.1:{port}"
    ready = functools.partial(_answers, url + "/healthz")
    with _running(cmd, name="gunicorn", ready=ready, wait=60, env=env, log=log) as proc:
        server = Server(url)
        server.pid = proc.pid
        yield server


@contextlib.contextmanager
def redis_server(log=None):
    """A Redis server (Debian's `redis-server`) on 127.0.0.1 with nothing kept on disk, until
    the block ends; yields a CACHE_URL for it."""
    port = free_port()

    def ready():
        with socket.create_connection(("127.0.0.1", port), 1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    cmd = ["redis-server", "--bind", "127.0.0.1", "--port", str(port)]
    cmd += ["--save", "", "--appendonly", "no"]
    with _running(cmd, name="redis-server", ready=ready, wait=20, log=log):
        yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def localstripe():
    """localstripe (devtools.localstripe_server) on a free loopback port until the block
    ends; yields its address."""
    port = free_port()
    cmd = [sys.executable, "-m", "devtools.localstripe_server", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    ready = functools.partial(_answers, url + "/js.stripe.com/v3/")
    with _running(cmd, name="localstripe", ready=ready, wait=20):
        yield url


@contextlib.contextmanager
def yookassa(*, log=None):
    """The local YooKassa server (devtools/yookassa) on a free loopback port until the block
    ends; yields it (its `url`, `api_url`, `shop_id`, `secret_key`, `control()`)."""
    from devtools.yookassa import launcher

    server = launcher.start(shop_id="300200", secret_key="test_rush", log=log)
    try:
        yield server
    finally:
        server.stop()


def yookassa_env(server) -> dict:
    """What a site's settings need to pay through the local YooKassa `server`: its keys and
    API address, as for a real shop, and its notifications taken from 127.0.0.1."""
    return {
        "YOOKASSA_SHOP_ID": server.shop_id,
        "YOOKASSA_SECRET_KEY": server.secret_key,
        "YOOKASSA_API_URL": server.api_url,
        "YOOKASSA_NOTIFICATION_NETWORKS": "127.0.0.1/32,::1/128",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--localstripe", default="", help="needed when Stripe pays")
    parser.add_argument("--tour", type=int, required=True)
    parser.add_argument("--departure", type=int, required=True)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument(
        "--provider",
        choices=sorted(PROVIDERS),
        default="both",
        help="how the customers pay: Stripe, YooKassa, or in turn (the site must have it on)",
    )
    args = parser.parse_args()
    providers = PROVIDERS[args.provider]
    if "stripe" in providers and not args.localstripe:
        parser.error(f"--provider {args.provider} needs --localstripe")
    started = time.perf_counter()
    outcomes = rush(
        site=args.site,
        localstripe=args.localstripe,
        tour=args.tour,
        departure=args.departure,
        customers=args.customers,
        providers=providers,
    )
    found = summary(outcomes, time.perf_counter() - started)
    paid = {p: sum(o.provider == p and o.result == "paid" for o in outcomes) for p in providers}
    print(
        f"{args.customers} customers in {found['seconds']:.1f} s: {found['results']}; "
        f"paid through {', '.join(f'{p} {n}' for p, n in paid.items())}; "
        f"5xx responses: {found['server_errors']}; {found['requests']} requests, "
        f"p50 {found['p50']:.0f} ms, p99 {found['p99']:.0f} ms"
    )
    for outcome in outcomes:
        if outcome.result == "error":
            print(f"  customer {outcome.customer}: {outcome.message}")
    return 0 if found["server_errors"] == 0 and "error" not in found["results"] else 1


if __name__ == "__main__":
    sys.exit(main())
