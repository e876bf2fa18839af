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
