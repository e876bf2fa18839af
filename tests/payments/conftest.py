import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.payments.helpers import stripe_post


class _Inbox:
    """Webhook deliveries localstripe made: raw body and signature, as Stripe sends them."""

    def __init__(self):
        self.deliveries = []
        self.lock = threading.Lock()

    def wait_for(self, event_type: str, intent_id=None, *, attempt=None, timeout: float = 10.0):
        """The delivery of `event_type` for a PaymentIntent id, or for an attempt (metadata)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for body, signature in self.deliveries:
                    event = json.loads(body)
                    intent = event["data"]["object"]
                    matches = (
                        intent["id"] == intent_id
                        if attempt is None
                        else intent.get("metadata", {}).get("attempt") == str(attempt.pk)
                    )
                    if event["type"] == event_type and matches:
                        return body, signature
            time.sleep(0.05)
        raise AssertionError(f"localstripe sent no {event_type} for {intent_id}")


@pytest.fixture(scope="session")
def _webhook_inbox_server(localstripe_url):
    inbox = _Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with inbox.lock:
                inbox.deliveries.append((body, self.headers.get("Stripe-Signature", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield inbox, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def webhook_inbox(_webhook_inbox_server, settings):
    """The inbox, registered with localstripe under the suite's webhook secret."""
    inbox, url = _webhook_inbox_server
    stripe_post(
        "/_config/webhooks/test-inbox",
        {"url": url, "secret": settings.STRIPE_WEBHOOK_SECRET},
        secret=True,
    )
    return inbox
