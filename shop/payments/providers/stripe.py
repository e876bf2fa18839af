"""Stripe, through the official library: foreign cards.

The card is authorised in the browser (Stripe.js makes a token, our server creates a
PaymentIntent with manual capture); the money is taken later by `capture`. Stripe's objects
are turned into the shop's `RemotePayment`, its errors into the three kinds in `base.py`.
Stripe issues no Russian (54-FZ) receipts: `issues_receipts` is False.
"""

from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shop.payments.providers.base import (
    TIMEOUT_SECONDS,
    Confirmation,
    PaymentDeclined,
    PaymentRejected,
    PaymentState,
    PaymentUnavailable,
    RemotePayment,
    RemoteRefund,
    from_minor_units,
    outside_transactions,
    to_minor_units,
)

code = "stripe"
name = "Stripe"
issues_receipts = False
# A PaymentIntent waiting for 3-D Secure can be cancelled by the shop.
cancels_unconfirmed = True

# Stripe's decline codes in the customer's language (Stripe's own texts are English).
DECLINE_MESSAGES = {
    "card_declined": _("Your bank declined the card. Try another card or call your bank."),
    "insufficient_funds": _(
        "There is not enough money on the card. Nothing was charged; try another card."
    ),
    "expired_card": _("The card has expired."),
    "incorrect_cvc": _("The CVC code is wrong."),
    "incorrect_number": _("The card number is wrong."),
    "processing_error": _("The bank could not process the card. Please try again."),
    "payment_intent_authentication_failure": _(
        "The bank did not confirm the payment (3-D Secure). Nothing was charged."
    ),
}

STATES = {
    "requires_payment_method": PaymentState.DECLINED,
    "requires_confirmation": PaymentState.WAITING,
    "requires_action": PaymentState.WAITING,
    "processing": PaymentState.WAITING,
    "requires_capture": PaymentState.AUTHORISED,
    "succeeded": PaymentState.CAPTURED,
    "canceled": PaymentState.CANCELED,
}


def content_security_sources() -> dict[str, list[str]]:
    """Stripe.js is loaded, frames its card fields and calls its API from the page."""
    parts = urlsplit(settings.STRIPE_JS_URL or "")
    if not (parts.scheme and parts.netloc):
        return {}
    origin = f"{parts.scheme}://{parts.netloc}"
    return {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]}


def decline_message(code) -> str:
    return str(DECLINE_MESSAGES.get(code or "", DECLINE_MESSAGES["card_declined"]))


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        max_network_retries=1,
    )


def _call(function, *args, **kwargs):
    outside_transactions()
    try:
        return function(*args, **kwargs)
    except stripe.CardError as error:
        intent = getattr(getattr(error, "error", None), "payment_intent", None)
        raise PaymentDeclined(
            decline_message(getattr(error, "code", None)),
            payment_id=getattr(intent, "id", None),
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


def _card_label(intent) -> str:
    charge = getattr(intent, "latest_charge", None)
    details = getattr(charge, "payment_method_details", None) if charge else None
    card = getattr(details, "card", None) if details else None
    if card is not None and getattr(card, "last4", None):
        return f"{(card.brand or 'card').title()} •••• {card.last4}"
    return "Stripe"


def remote(intent) -> RemotePayment:
    """A PaymentIntent as the shop sees it."""
    metadata = intent.metadata.to_dict() if getattr(intent, "metadata", None) else {}
    charge = getattr(intent, "latest_charge", None)
    refunded = 0
    if charge is not None and not isinstance(charge, str):
        refunded = charge.amount if charge.refunded else (charge.amount_refunded or 0)
    error = getattr(intent, "last_payment_error", None)
    confirmation = None
    if intent.status == "requires_action":
        confirmation = Confirmation("stripe_action", intent.client_secret)
    return RemotePayment(
        id=intent.id,
        state=STATES.get(intent.status, PaymentState.WAITING),
        amount=from_minor_units(intent.amount),
        currency=(intent.currency or "").upper(),
        attempt=str(metadata.get("attempt", "")),
        refunded=from_minor_units(refunded),
        message=decline_message(getattr(error, "code", None)) if error else "",
        label=_card_label(intent),
        reference=(getattr(charge, "id", charge) if charge else "") or intent.id,
        confirmation=confirmation,
    )


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


def start(attempt, *, token_id: str, card_id: str, **_ignored) -> RemotePayment:
    """Authorise the attempt's amount on the card; the money is taken later by `capture`."""
    intent = _call(
        client().v1.payment_intents.create,
        params={
            "amount": to_minor_units(attempt.amount),
            "currency": attempt.currency.lower(),
            "payment_method": payment_method_from_card(token_id, card_id),
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "metadata": {"attempt": str(attempt.pk), "basket": str(attempt.basket_id or "")},
        },
        options={"idempotency_key": f"attempt-{attempt.key}"},
    )
    return remote(intent)


def retrieve(payment_id: str) -> RemotePayment:
    """The PaymentIntent with its charge expanded (to see what was refunded on it)."""
    intent = _call(
        client().v1.payment_intents.retrieve, payment_id, params={"expand": ["latest_charge"]}
    )
    return remote(intent)


def capture(payment_id: str) -> RemotePayment:
    _call(
        client().v1.payment_intents.capture,
        payment_id,
        options={"idempotency_key": f"capture-{payment_id}"},
    )
    return retrieve(payment_id)


def cancel(payment_id: str) -> RemotePayment:
    return remote(_call(client().v1.payment_intents.cancel, payment_id))


def refund(*, payment_id: str, amount, key: str, receipt=None, refund_ref="") -> RemoteRefund:
    """Give back `amount` of a captured payment. `receipt` is ignored: Stripe issues none."""
    result = _call(
        client().v1.refunds.create,
        params={
            "payment_intent": payment_id,
            "amount": to_minor_units(amount),
            "metadata": {"refund": refund_ref},
        },
        options={"idempotency_key": key},
    )
    return RemoteRefund(
        id=result.id,
        payment_id=payment_id,
        amount=from_minor_units(result.amount),
        succeeded=result.status in ("succeeded", "pending"),
    )


def refunds(payment_id: str) -> list[RemoteRefund]:
    listed = _call(client().v1.refunds.list, params={"payment_intent": payment_id, "limit": 100})
    return [
        RemoteRefund(
            id=r.id,
            payment_id=payment_id,
            amount=from_minor_units(r.amount),
            succeeded=r.status in ("succeeded", "pending"),
        )
        for r in listed.auto_paging_iter()
    ]


def payments():
    """Every PaymentIntent of the account, newest first (for the money check)."""
    listed = _call(client().v1.payment_intents.list, params={"limit": 100})
    for intent in listed.auto_paging_iter():
        yield remote(intent)


def event_from_webhook(payload: bytes, signature: str):
    """The verified event as plain JSON data (whatever its shape: the caller checks it), or
    ValueError / stripe.SignatureVerificationError."""
    import json

    text = payload.decode("utf-8")  # UnicodeDecodeError is a ValueError
    stripe.WebhookSignature.verify_header(
        text, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
    )
    return json.loads(text)
