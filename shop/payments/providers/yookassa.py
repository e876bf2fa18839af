"""YooKassa, through its official SDK (`yookassa`, API v3): Russian cards and SBP.

Two-stage payments (`capture: false`), as with Stripe: the customer confirms on YooKassa's
page (cards: a redirect) or in their bank's app (SBP: a QR code or a link), the money is then
reserved (`waiting_for_capture`) until the shop captures it once the order is placed, or
releases it. Every POST carries an `Idempotence-Key`; every payment and refund carries its
54-FZ receipt (built by `shop/payments/receipts.py`).

The SDK keeps its settings in process-wide class attributes and sends requests without a
timeout, so each call here goes through `_ApiClient`: the shop's settings at the moment of
the call, a network timeout, and failures turned into the shop's three kinds of error. The
SDK's request and response objects are used as they are.
"""

import hashlib
from decimal import Decimal
from types import SimpleNamespace

import requests
import yookassa
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from yookassa.client import ApiClient
from yookassa.domain.common import RequestObject, UserAgent

from shop.payments.providers.base import (
    TIMEOUT_SECONDS,
    Confirmation,
    PaymentRejected,
    PaymentState,
    PaymentUnavailable,
    RemotePayment,
    RemoteRefund,
    money,
    outside_transactions,
)

code = "yookassa"
name = "ЮKassa"
issues_receipts = True
# A payment the customer has not confirmed cannot be cancelled by the shop (YooKassa
# cancels it itself after an hour, `expired_on_confirmation`).
cancels_unconfirmed = False

STATES = {
    "pending": PaymentState.WAITING,
    "waiting_for_capture": PaymentState.AUTHORISED,
    "succeeded": PaymentState.CAPTURED,
}

# Why YooKassa cancelled a payment (cancellation_details.reason), in the customer's words.
# https://yookassa.ru/developers/payment-acceptance/after-the-payment/declined-payments
DECLINE_MESSAGES = {
    "3d_secure_failed": _(
        "The bank did not confirm the payment (3-D Secure). Nothing was charged."
    ),
    "call_issuer": _("Your bank declined the payment. Please call your bank."),
    "card_expired": _("The card has expired."),
    "country_forbidden": _("Cards of this country are not accepted. Try another card."),
    "fraud_suspected": _("The payment was declined for your protection. Try another card."),
    "general_decline": _("Your bank declined the payment. Try another card or call your bank."),
    "identification_required": _(
        "Your e-wallet needs identification to pay this amount. Try a card."
    ),
    "insufficient_funds": _(
        "There is not enough money on the card. Nothing was charged; try another card."
    ),
    "invalid_card_number": _("The card number is wrong."),
    "invalid_csc": _("The CVC code is wrong."),
    "issuer_unavailable": _("Your bank is not answering. Please try again in a few minutes."),
    "payment_method_limit_exceeded": _("The card's limit is reached. Try another card."),
    "payment_method_restricted": _("Payments with this card are restricted. Try another card."),
    "permission_revoked": _("The payment permission was withdrawn. Please pay again."),
}
# Cancelled without the payer being refused: nothing was confirmed, or the shop let it go.
NOT_DECLINED = {"expired_on_confirmation", "expired_on_capture", "canceled_by_merchant"}


def content_security_sources() -> dict[str, list[str]]:
    """The payment form sends the customer on to YooKassa's confirmation page (a redirect after
    a form is held to form-action); the SBP QR code is the site's own inline SVG."""
    return {"form-action": list(settings.YOOKASSA_CONFIRMATION_ORIGINS)}


class _ApiClient(ApiClient):
    """The SDK's client, configured from the Django settings at each call (not from the SDK's
    class attributes, which one thread could change under another)."""

    def __init__(self):  # the SDK's own __init__ reads Configuration's class attributes
        self.configuration = SimpleNamespace(verify=None)
        self.endpoint = settings.YOOKASSA_API_URL.rstrip("/")
        self.shop_id = settings.YOOKASSA_SHOP_ID
        self.shop_password = settings.YOOKASSA_SECRET_KEY
        self.auth_token = None
        # The SDK's retry of an answer "202 Accepted, still processing": 3 tries, 1.8 s apart.
        self.timeout = 1800
        self.max_attempts = 3
        self.user_agent = UserAgent()

    def request(self, method="", path="", query_params=None, headers=None, body=None):
        outside_transactions()
        if isinstance(body, RequestObject):
            body.validate()
            body = dict(body)
        session = self.get_session()
        try:
            response = session.request(
                method,
                self.endpoint + path,
                params=query_params,
                headers=self.prepare_request_headers(headers),
                json=body,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            raise PaymentUnavailable(f"YooKassa: {error}") from error
        finally:
            session.close()
        try:
            data = response.json()
        except ValueError:
            raise PaymentUnavailable(
                f"YooKassa answered {response.status_code} without JSON"
            ) from None
        if response.status_code == 200:
            return data
        data = data if isinstance(data, dict) else {}
        what = (
            f"YooKassa {response.status_code}: {data.get('code', '')} {data.get('description', '')}"
        )
        if data.get("parameter"):
            what += f" ({data['parameter']})"
        if response.status_code in (400, 401, 403, 404):
            # Our request was wrong or the object is not there: nothing happened.
            raise PaymentRejected(what, missing=response.status_code == 404)
        # 202 (still processing), 429, 5xx: the outcome is unknown; repeat with the same key.
        raise PaymentUnavailable(what)


class _Payment(yookassa.Payment):
    def __init__(self):
        self.client = _ApiClient()


class _Refund(yookassa.Refund):
    def __init__(self):
        self.client = _ApiClient()


class _Receipt(yookassa.Receipt):
    def __init__(self):
        self.client = _ApiClient()


def idempotence_key(key: str) -> str:
    """YooKassa takes keys of at most 64 characters; a longer one is hashed (the same key
    always gives the same hash)."""
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()


# An SBP payment's label on the order (Oscar's payment source): the pages the customer sees
# tell a bank transfer by it from a card.
SBP_LABEL = "СБП"


def _label(payment) -> str:
    method = payment.payment_method
    if method is None:
        return name
    if method.type == "sbp":
        return SBP_LABEL
    card = getattr(method, "card", None)
    if card is not None and getattr(card, "last4", None):
        return f"{card.card_type or 'Card'} •••• {card.last4}"
    return getattr(method, "title", None) or name


def _confirmation(payment) -> Confirmation | None:
    confirmation = payment.confirmation
    if confirmation is None:
        return None
    if confirmation.type == "qr":
        return Confirmation("qr", confirmation.confirmation_data)
    if confirmation.type == "redirect":
        return Confirmation("redirect", confirmation.confirmation_url)
    return None


def remote(payment) -> RemotePayment:
    """A YooKassa payment as the shop sees it."""
    state = STATES.get(payment.status)
    message = ""
    if payment.status == "canceled":
        details = payment.cancellation_details
        reason = getattr(details, "reason", "") or ""
        if reason in NOT_DECLINED:
            state = PaymentState.CANCELED
        else:
            state = PaymentState.DECLINED
            message = str(DECLINE_MESSAGES.get(reason, DECLINE_MESSAGES["general_decline"]))
    refunded = payment.refunded_amount.value if payment.refunded_amount else 0
    return RemotePayment(
        id=payment.id,
        state=state or PaymentState.WAITING,
        amount=money(payment.amount.value),
        currency=str(payment.amount.currency).upper(),
        attempt=str((payment.metadata or {}).get("attempt", "")),
        refunded=money(refunded),
        message=message,
        label=_label(payment),
        reference=payment.id,
        confirmation=_confirmation(payment),
    )


def start(attempt, *, method: str, return_url: str, receipt: dict, **_ignored) -> RemotePayment:
    """Create the two-stage payment the customer confirms next (card page or SBP)."""
    body = {
        "amount": {"value": f"{attempt.amount:.2f}", "currency": attempt.currency.upper()},
        "capture": False,
        "description": str(
            _("Difference for order %(number)s, Baikal student tour bureau")
            if attempt.is_supplementary
            else _("Order %(number)s, Baikal student tour bureau")
        )
        % {"number": attempt.order_number},
        "metadata": {"attempt": str(attempt.pk), "basket": str(attempt.basket_id or "")},
        "receipt": receipt,
    }
    if method == "sbp":
        body["payment_method_data"] = {"type": "sbp"}
        # The QR code's address: scanned on a computer, opened as a link on a phone.
        body["confirmation"] = {"type": "qr"}
    else:
        body["payment_method_data"] = {"type": "bank_card"}
        body["confirmation"] = {
            "type": "redirect",
            "return_url": return_url,
            "locale": "ru_RU" if attempt.language == "ru" else "en_US",
        }
    return remote(_Payment.create(body, idempotence_key(f"attempt-{attempt.key}")))


def retrieve(payment_id: str) -> RemotePayment:
    return remote(_Payment.find_one(payment_id))


def capture(payment_id: str) -> RemotePayment:
    # The whole amount: the receipt sent with the payment is registered as it is.
    return remote(_Payment.capture(payment_id, None, idempotence_key(f"capture-{payment_id}")))


def cancel(payment_id: str) -> RemotePayment:
    return remote(_Payment.cancel(payment_id, idempotence_key(f"cancel-{payment_id}")))


def _refund(refund) -> RemoteRefund:
    return RemoteRefund(
        id=refund.id,
        payment_id=refund.payment_id,
        amount=money(refund.amount.value),
        # A refund YooKassa has accepted goes through; only "canceled" means it did not.
        succeeded=refund.status in ("succeeded", "pending"),
    )


def refund(
    *, payment_id: str, amount: Decimal, key: str, receipt: dict | None, refund_ref: str = ""
) -> RemoteRefund:
    body = {
        "payment_id": payment_id,
        "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
        # Which of the shop's refunds this is, for a notification that arrives before the
        # answer to this request (or instead of it).
        "metadata": {"refund": refund_ref},
    }
    if receipt is not None:
        body["receipt"] = receipt
    return _refund(_Refund.create(body, idempotence_key(key)))


def refund_retrieve(refund_id: str) -> tuple[RemoteRefund, str]:
    """A refund and the shop's refund id it was made for (from its metadata)."""
    found = _Refund.find_one(refund_id)
    return _refund(found), str((found.metadata or {}).get("refund", ""))


def refunds(payment_id: str) -> list[RemoteRefund]:
    found, cursor = [], None
    while True:
        params = {"payment_id": payment_id, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = _Refund.list(params)
        found += [_refund(r) for r in page.items or []]
        cursor = page.next_cursor
        if not cursor:
            return found


def payments():
    """Every payment of the shop, newest first (for the money check)."""
    cursor = None
    while True:
        params = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = _Payment.list(params)
        for payment in page.items or []:
            yield remote(payment)
        cursor = page.next_cursor
        if not cursor:
            return


# --- Receipts on their own (the settlement receipt) and their registration -----------------


def receipt_create(body: dict, *, key: str) -> tuple[str, str]:
    """Send a receipt on its own; its id and status."""
    created = _Receipt.create(body, idempotence_key(key))
    return created.id, created.status


def receipts_of(*, payment_id: str = "", refund_id: str = "") -> list[dict]:
    """The receipts YooKassa registered for a payment or a refund: id, type, status."""
    params = {"payment_id": payment_id} if payment_id else {"refund_id": refund_id}
    page = _Receipt.list(params)
    return [
        {"id": r.id, "type": r.type, "status": r.status, "payment_id": r.payment_id}
        for r in page.items or []
    ]


def receipt_status(receipt_id: str) -> str:
    return _Receipt.find_one(receipt_id).status
