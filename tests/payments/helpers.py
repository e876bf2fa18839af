"""Paying through the real card flow against localstripe, as the browser does it."""

import json
import urllib.parse
import urllib.request

from django.conf import settings
from oscar.core.loading import get_model

Order = get_model("order", "Order")

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002500003155"

PAYMENT_METHOD = "/shop/checkout/payment-method/"
PAYMENT_DETAILS = "/shop/checkout/payment-details/"
START = "/shop/checkout/payment/start/"
THANK_YOU = "/shop/checkout/thank-you/"


def stripe_post(path: str, data: dict, *, secret: bool = False) -> dict:
    """A request to localstripe as Stripe.js (publishable key) or our server would make."""
    if not secret:
        data = {**data, "key": settings.STRIPE_PUBLISHABLE_KEY}
    request = urllib.request.Request(
        settings.STRIPE_API_BASE + path,
        data=urllib.parse.urlencode(data).encode(),
        method="POST",
    )
    if secret:
        request.add_header("Authorization", f"Bearer {settings.STRIPE_SECRET_KEY}")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else {}


def card_token(number: str = CARD_OK) -> tuple[str, str]:
    """What stripe.createToken(card) returns in the browser: the token and its card id."""
    token = stripe_post(
        "/v1/tokens",
        {
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
    )
    return token["id"], token["card"]["id"]


def start_payment(client, number: str = CARD_OK, *, prefix: str = ""):
    """Open the payment page and submit the card; returns the JSON answer. `prefix` is the
    language's, e.g. "/en"."""
    response = client.get(prefix + PAYMENT_METHOD)
    assert response.status_code == 302, response
    page = client.get(prefix + PAYMENT_DETAILS)
    assert page.status_code == 200, page
    token, card = card_token(number)
    response = client.post(
        prefix + START,
        json.dumps({"token": token, "card": card, "consent": True}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def authorise_by_card(client, pay_url: str, number: str = CARD_OK) -> dict:
    """The card form of a pay step (the difference of a dearer date) filled in and sent: the
    JSON answer (its status, and where the customer returns)."""
    assert client.get(pay_url).status_code == 200
    token, card = card_token(number)
    answer = client.post(
        pay_url + "card/",
        json.dumps({"token": token, "card": card, "consent": True}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def authenticate_3ds(client_secret: str, *, success: bool = True) -> dict:
    """What localstripe's Stripe.js does when the customer confirms 3-D Secure."""
    intent_id = client_secret.split("_secret_")[0]
    return stripe_post(
        f"/v1/payment_intents/{intent_id}/_authenticate?success={'true' if success else 'false'}",
        {"client_secret": client_secret},
    )


def pay(client, number: str = CARD_OK, *, prefix: str = ""):
    """The whole card payment; returns the placed order (asserts it succeeded)."""
    status, answer = start_payment(client, number, prefix=prefix)
    # Only the 3-D Secure card asks the bank first; any other card is authorised at once.
    expected = "requires_action" if number == CARD_3DS else "authorized"
    assert status == 200 and answer["status"] == expected, answer
    if expected == "requires_action":
        authenticate_3ds(answer["client_secret"])
    response = client.get(answer["return_url"])
    assert response.status_code == 302, response
    assert response.url == prefix + THANK_YOU, [str(m) for m in response.wsgi_request._messages]
    return Order.objects.get(pk=client.session["checkout_order_id"])


# --- YooKassa (the local server of devtools/yookassa) --------------------------------------

YK_CARD_OK = "5555555555554444"
YK_CARD_3DS = "5555555555554477"
YK_CARD_DECLINED = "5555555555554600"  # insufficient_funds
YOOKASSA_START = "/shop/checkout/payment/yookassa/"
NOTIFICATIONS = "/shop/payments/yookassa/notifications/"


def yookassa_start(client, method: str = "card", *, prefix: str = "", consent: bool = True):
    """Open the payment page and choose "Russian card or SBP"; the shop's answer (a redirect
    to YooKassa's card page, or to the SBP page)."""
    response = client.get(prefix + PAYMENT_METHOD)
    assert response.status_code == 302, response
    page = client.get(prefix + PAYMENT_DETAILS)
    assert page.status_code == 200, page
    data = {"method": method, **({"consent": "1"} if consent else {})}
    return client.post(prefix + YOOKASSA_START, data)


def confirm_card(confirmation_url: str, number: str = YK_CARD_OK, *, confirm_3ds=True) -> str:
    """What the customer does on YooKassa's card page (and its 3-D Secure step); the address
    they are sent back to."""
    import requests

    answer = requests.post(
        confirmation_url,
        data={"number": number, "expiry": "12/34", "csc": "123"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["Location"]
    if location.endswith("/3ds"):
        step = confirmation_url.rsplit("/", 2)[0] + location
        answer = requests.post(
            step,
            data={"action": "confirm" if confirm_3ds else "fail", "code": "1234"},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303, answer.text[:500]
        location = answer.headers["Location"]
    return location


def sbp_answer(confirmation_url: str, *, approve: bool = True) -> None:
    """The payer approves (or refuses) in "the bank app" the SBP link opens."""
    import requests

    answer = requests.post(
        confirmation_url,
        data={"action": "approve" if approve else "refuse"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (200, 303), answer.text[:500]


def local_path(url: str) -> str:
    """An absolute address of the site as the test client wants it (path and query)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pay_yookassa(client, number: str = YK_CARD_OK, *, prefix: str = ""):
    """The whole card payment through YooKassa; returns the placed order."""
    response = yookassa_start(client, "card", prefix=prefix)
    assert response.status_code == 303, [str(m) for m in response.wsgi_request._messages]
    back = confirm_card(response.url, number)
    done = client.get(local_path(back))
    assert done.status_code == 302, done
    assert done.url == prefix + THANK_YOU, [str(m) for m in done.wsgi_request._messages]
    return Order.objects.get(pk=client.session["checkout_order_id"])


def notifications_of(server, payment_id: str) -> list[dict]:
    """The notifications the local server made about a payment (and its refunds)."""
    return [
        n
        for n in server.control("/_test/notifications")
        if n["object"].get("id") == payment_id or n["object"].get("payment_id") == payment_id
    ]


def deliver(client, notifications, *, address: str = "127.0.0.1") -> list[int]:
    """POST notifications to the shop as YooKassa does (from `address`); the statuses."""
    statuses = []
    for notification in notifications:
        body = {"type": "notification", "event": notification["event"]}
        body["object"] = notification["object"]
        response = client.post(
            NOTIFICATIONS, json.dumps(body), content_type="application/json", REMOTE_ADDR=address
        )
        statuses.append(response.status_code)
    return statuses


def settle_at_once(attempts) -> None:
    """Each attempt settled twice (the customer's return and the provider's notification),
    all at the same moment, each in a thread of its own (a transactional test)."""
    import threading

    from django.db import connections

    from shop.payments.models import PaymentAttempt
    from shop.payments.services import attempt_settle

    barrier = threading.Barrier(2 * len(attempts))
    errors = []

    def settle(attempt_id):
        try:
            barrier.wait(timeout=10)
            attempt_settle(PaymentAttempt.objects.get(pk=attempt_id))
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=settle, args=(a.pk,)) for a in attempts * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
