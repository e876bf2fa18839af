"""The local YooKassa server for these tests: one process for the session on a free port,
reset before each test, with the official SDK pointed at it; a receiver for its
notifications; helpers to pay the way a customer does (the card form, over plain HTTP)."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from devtools.yookassa import launcher

SHOP_ID, SECRET_KEY = "506751", "test_devtools_secret"


@pytest.fixture(scope="session")
def yookassa_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("yookassa") / "server.log"
    server = launcher.start(shop_id=SHOP_ID, secret_key=SECRET_KEY, log=log)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _starting_settings(yookassa_server):
    return yookassa_server.control("/_config")


@pytest.fixture
def yookassa(yookassa_server, _starting_settings):
    """The session's server, empty, with its starting settings, and the SDK configured."""
    from yookassa import Configuration

    yookassa_server.reset()
    yookassa_server.configure(**_starting_settings)
    Configuration.configure(SHOP_ID, SECRET_KEY, api_url=yookassa_server.api_url)
    return yookassa_server


class Inbox:
    """What the server POSTed to the notification URL, and the statuses to answer with."""

    def __init__(self) -> None:
        self.received: list[dict] = []  # {event, object, client, headers, at}
        self.statuses: list[int] = []  # answered first, one per request; then 200
        self.lock = threading.Lock()

    def events(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(n["body"]["event"], n["body"]["object"]["id"]) for n in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} notifications, got {self.events()}")


@pytest.fixture(scope="session")
def _inbox_server():
    inbox = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with inbox.lock:
                status = inbox.statuses.pop(0) if inbox.statuses else 200
                inbox.received.append(
                    {
                        "body": json.loads(body),
                        "client": self.client_address[0],
                        "headers": dict(self.headers),
                        "status": status,
                        "at": time.monotonic(),
                    }
                )
            self.send_response(status)
            self.end_headers()

        def do_GET(self):  # noqa: N802 - the shop's return_url, where the customer lands
            page = "<!doctype html><title>Магазин</title><h1>Спасибо! Магазин проверит оплату.</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    inbox.url = f"http://127.0.0.1:{http.server_address[1]}"
    yield inbox
    http.shutdown()


@pytest.fixture
def inbox(_inbox_server, yookassa):
    """An empty inbox that the server sends its notifications to."""
    with _inbox_server.lock:
        _inbox_server.received.clear()
        _inbox_server.statuses.clear()
    yookassa.configure(notify_url=f"{_inbox_server.url}/notifications/", retry_base=0.1)
    return _inbox_server


@pytest.fixture
def return_url(_inbox_server):
    return f"{_inbox_server.url}/shop/return/"


# -- helpers -------------------------------------------------------------------------------


def item(description="Байкальский пряник «Нерпа»", value="450.00", quantity=1, **fields):
    return {
        "description": description,
        "quantity": quantity,
        "amount": {"value": value, "currency": "RUB"},
        "vat_code": 1,
        "payment_subject": "commodity",
        "payment_mode": "full_payment",
        **fields,
    }


def receipt(*items, email="tourist@example.com"):
    return {"customer": {"email": email}, "items": list(items) or [item()]}


def card_payment(return_url, value="450.00", *, capture=False, key=None, **fields):
    """A two-stage card payment created through the SDK, receipt included."""
    from yookassa import Payment

    body = {
        "amount": {"value": value, "currency": "RUB"},
        "capture": capture,
        "confirmation": {"type": "redirect", "return_url": return_url},
        "payment_method_data": {"type": "bank_card"},
        "description": "Заказ 100001",
        "metadata": {"order": "100001"},
        "receipt": receipt(item(value=value)),
        **fields,
    }
    return Payment.create(body, key or str(uuid.uuid4()))


def pay_by_card(payment, number="5555555555554444", expiry="12/30", csc="123"):
    """Submit the confirmation page's card form as a browser does; the response's Location
    is where the customer is sent."""
    return requests.post(
        payment.confirmation.confirmation_url,
        data={"number": number, "expiry": expiry, "csc": csc},
        allow_redirects=False,
        timeout=10,
    )


def api(server, method, path, body=None, *, key="auto", auth=(SHOP_ID, SECRET_KEY), headers=None):
    """A plain HTTP call to the API, for what the SDK would not send."""
    headers = dict(headers or {})
    if method == "POST" and key:
        headers["Idempotence-Key"] = str(uuid.uuid4()) if key == "auto" else key
    return requests.request(
        method, f"{server.api_url}{path}", json=body, auth=auth, headers=headers, timeout=10
    )
