"""The few Stripe calls the shop makes, through the official library.

Errors come back as three kinds the rest of the shop can act on: the card was declined
(`PaymentDeclined`, with Stripe's message for the customer), Stripe could not be reached or
failed (`PaymentUnavailable`), or our request was wrong (`stripe.StripeError` itself).
"""

from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PaymentDeclined(Exception):
    def __init__(self, message, payment_intent_id=None):
        super().__init__(message)
        self.message = message
        self.payment_intent_id = payment_intent_id


class PaymentUnavailable(Exception):
    """Stripe could not be reached or failed; the outcome of the call is unknown."""


class PaymentRejected(Exception):
    """Stripe refused the request (unknown object, bad token, wrong key…): nothing happened."""

    def __init__(self, message, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing


UNAVAILABLE_MESSAGE = _(
    "The payment service is not answering right now. Nothing was charged; "
    "please try again in a few minutes."
)


# Calls are made while a payment row is locked: a hanging Stripe must not hold it for long.
TIMEOUT_SECONDS = 10


# Stripe's decline codes in the customer's language (Stripe's own texts are English).
DECLINE_MESSAGES = {
    "card_declined": _("Your bank declined the card. Try another card or call your bank."),
    "insufficient_funds": _("There is not enough money on the card."),
    "expired_card": _("The card has expired."),
    "incorrect_cvc": _("The CVC code is wrong."),
    "incorrect_number": _("The card number is wrong."),
    "processing_error": _("The bank could not process the card. Please try again."),
    "payment_intent_authentication_failure": _(
        "The bank did not confirm the payment (3-D Secure). Nothing was charged."
    ),
}


def decline_message(code) -> str:
    return str(DECLINE_MESSAGES.get(code or "", DECLINE_MESSAGES["card_declined"]))


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        max_network_retries=1,
    )


def to_minor_units(amount: Decimal) -> int:
    """Roubles to kopecks."""
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.CardError as error:
        intent = getattr(getattr(error, "error", None), "payment_intent", None)
        raise PaymentDeclined(
            decline_message(getattr(error, "code", None)),
            payment_intent_id=getattr(intent, "id", None),
        ) from error
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise PaymentUnavailable(str(error)) from error
    except stripe.APIError as error:
        raise PaymentUnavailable(str(error)) from error
    except stripe.StripeError as error:
        # Invalid request, authentication, permission, idempotency: Stripe did nothing.
        raise PaymentRejected(
            str(error), missing=getattr(error, "http_status", None) == 404
        ) from error


def payment_method_from_card(token_id: str, card_id: str) -> str:
    """The PaymentMethod to charge, from the card token Stripe.js made in the browser.

    Real Stripe turns the token into a PaymentMethod; localstripe accepts the token's card
    id as a payment method directly (it cannot create one from a token).
    """
    if settings.STRIPE_LOCAL:
        return card_id
    method = _call(
        client().v1.payment_methods.create,
        params={"type": "card", "card": {"token": token_id}},
    )
    return method.id


def intent_create_and_confirm(
    *, amount: Decimal, payment_method: str, metadata: dict, idempotency_key: str
):
    """Authorise `amount` on the card; the money is taken later by `intent_capture`."""
    return _call(
        client().v1.payment_intents.create,
        params={
            "amount": to_minor_units(amount),
            "currency": settings.STRIPE_CURRENCY,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def intent_retrieve(intent_id: str):
    """The PaymentIntent with its charge expanded (to see what was refunded on it)."""
    return _call(
        client().v1.payment_intents.retrieve, intent_id, params={"expand": ["latest_charge"]}
    )


def intent_capture(intent_id: str):
    return _call(
        client().v1.payment_intents.capture,
        intent_id,
        options={"idempotency_key": f"capture-{intent_id}"},
    )


def intent_cancel(intent_id: str):
    return _call(client().v1.payment_intents.cancel, intent_id)


def refund_create(*, intent_id: str, amount: Decimal, idempotency_key: str):
    return _call(
        client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": to_minor_units(amount)},
        options={"idempotency_key": idempotency_key},
    )


def event_from_webhook(payload: bytes, signature: str):
    """The verified event as plain JSON data (whatever its shape: the caller checks it), or
    ValueError / stripe.SignatureVerificationError."""
    import json

    text = payload.decode("utf-8")  # UnicodeDecodeError is a ValueError
    stripe.WebhookSignature.verify_header(
        text, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
    )
    return json.loads(text)
