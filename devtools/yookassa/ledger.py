"""The server's state and every change to it: payments, refunds, receipts, idempotence keys.

A payment goes `pending` → (the customer confirms) `waiting_for_capture` → `succeeded` on
capture, or straight to `succeeded` with `capture: true`; it ends `canceled` when the bank
declines, the merchant cancels, the customer never confirms (`confirmation_ttl`) or the
authorisation runs out (`authorization_ttl`). Each of those moves emits YooKassa's
notification event with the object as it is at that moment.

Receipts sent inside a payment, a capture or a refund are registered as receipts of their
own, as YooKassa does (the payment's when it succeeds, the refund's at once), so the tests
can list what the shop sent; they go `pending` → `succeeded` after `receipt_delay`.

All of it runs in the server's one event loop, so no operation interleaves with another.
With a store path the state is written to a JSON file after every change and read back at
start, so a `make run` restart keeps its payments.
"""

import base64
import json
import logging
import operator
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from . import validation
from .clock import Clock, iso, parse_iso
from .config import Config
from .errors import ApiError, invalid, not_found
from .idempotence import forget_expired
from .models import Payment, Receipt, Refund, dump

log = logging.getLogger(__name__)

PAYMENT_KEYS = {"amount", "description", "receipt", "payment_method_data", "confirmation"}
PAYMENT_KEYS |= {"capture", "client_ip", "metadata", "save_payment_method"}
REFUND_KEYS = {"payment_id", "amount", "description", "receipt", "metadata"}
CAPTURE_KEYS = {"amount", "receipt"}
RECEIPT_KEYS = {"type", "payment_id", "refund_id", "customer", "items", "settlements", "send"}
RECEIPT_KEYS |= {"tax_system_code", "internet", "email", "phone", "timezone"}
METHOD_TYPES = {"bank_card", "sbp"}
# The list filters: query parameter → attribute, and the moments filtered by .gte/.gt/.lte/.lt
LIST_FILTERS = {
    "payments": {"status": "status", "payment_method": "method_type"},
    "refunds": {"status": "status", "payment_id": "payment_id"},
    "receipts": {"status": "status", "payment_id": "payment_id", "refund_id": "refund_id"},
}
LIST_MOMENTS = {"payments": ("created_at", "captured_at"), "refunds": ("created_at",)}
LIST_MOMENTS["receipts"] = ("created_at",)
COMPARISONS = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


def _unsupported(body: dict, known: set[str]) -> None:
    """Refuse what this server does not implement instead of silently ignoring it (the SDK
    always sends empty `transfers` and `statements`: those pass)."""
    for key, value in body.items():
        if key not in known and value not in (None, [], {}):
            raise invalid(f"{key} is not supported by the local YooKassa server", key)


def _new_id(now: datetime, kind: str) -> str:
    # YooKassa's ids start with the creation time in hex; the rest is random here.
    tail = uuid.uuid4().hex
    return f"{int(now.timestamp()) & 0xFFFFFFFF:08x}-{kind}-5000-{tail[:4]}-{tail[4:16]}"


def _cursor(obj) -> str:
    return base64.urlsafe_b64encode(f"{obj.created_at}|{obj.id}".encode()).decode()


class Ledger:
    def __init__(
        self,
        *,
        config: Config,
        clock: Clock,
        emit: Callable[[str, dict], None] = lambda event, obj: None,
        path: Path | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.emit = emit
        self.path = path
        self.payments: dict[str, Payment] = {}
        self.refunds: dict[str, Refund] = {}
        self.receipts: dict[str, Receipt] = {}
        self.keys: dict[str, dict] = {}  # idempotence keys
        self.load()

    # -- persistence -------------------------------------------------------------------

    def load(self) -> None:
        if not self.path or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text())
            self.payments = {p["id"]: Payment(**p) for p in data.get("payments", [])}
            self.refunds = {r["id"]: Refund(**r) for r in data.get("refunds", [])}
            self.receipts = {r["id"]: Receipt(**r) for r in data.get("receipts", [])}
            self.keys = data.get("keys", {})
        except (OSError, ValueError, TypeError, KeyError):
            log.warning("%s is unreadable; starting empty", self.path)

    def save(self) -> None:
        if not self.path:
            return
        data = {
            "payments": [dump(p) for p in self.payments.values()],
            "refunds": [dump(r) for r in self.refunds.values()],
            "receipts": [dump(r) for r in self.receipts.values()],
            "keys": self.keys,
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False))
        tmp.replace(self.path)

    def reset(self) -> None:
        self.payments, self.refunds, self.receipts, self.keys = {}, {}, {}, {}
        self.save()

    # -- reading -------------------------------------------------------------------------

    def api(self, obj) -> dict:
        return obj.to_api(shop_id=self.config.shop_id, public_url=self.config.public_url)

    def payment(self, payment_id: str, parameter: str = "payment_id") -> Payment:
        if payment_id not in self.payments:
            raise not_found("Payment", parameter)
        return self.payments[payment_id]

    def refund(self, refund_id: str, parameter: str = "refund_id") -> Refund:
        if refund_id not in self.refunds:
            raise not_found("Refund", parameter)
        return self.refunds[refund_id]

    def receipt(self, receipt_id: str) -> Receipt:
        if receipt_id not in self.receipts:
            raise not_found("Receipt", "receipt_id")
        return self.receipts[receipt_id]

    def page(self, kind: str, query) -> dict:
        """GET /v3/payments|refunds|receipts: newest first, filtered, `limit` per page, with
        `next_cursor` when there is more."""
        objects = list(getattr(self, kind).values())
        for name, attribute in LIST_FILTERS[kind].items():
            if query.get(name):
                objects = [o for o in objects if getattr(o, attribute) == query[name]]
        for moment in LIST_MOMENTS[kind]:
            for name, compare in COMPARISONS.items():
                raw = query.get(f"{moment}.{name}")
                if not raw:
                    continue
                try:
                    bound = parse_iso(raw)
                except ValueError:
                    raise invalid("Send a moment in ISO 8601 format", f"{moment}.{name}") from None
                objects = [
                    o
                    for o in objects
                    if getattr(o, moment) and compare(parse_iso(getattr(o, moment)), bound)
                ]
        limit = query.get("limit", "10")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise invalid("limit must be from 1 to 100", "limit")
        limit = int(limit)
        objects.sort(key=lambda o: (o.created_at, o.id), reverse=True)
        if query.get("cursor"):
            try:
                created_at, last_id = base64.urlsafe_b64decode(query["cursor"]).decode().split("|")
            except ValueError:
                raise invalid("Invalid cursor", "cursor") from None
            objects = [o for o in objects if (o.created_at, o.id) < (created_at, last_id)]
        result = {"type": "list", "items": [self.api(o) for o in objects[:limit]]}
        if len(objects) > limit:
            result["next_cursor"] = _cursor(objects[limit - 1])
        return result

    # -- payments ------------------------------------------------------------------------

    def create_payment(self, body: dict) -> Payment:
        _unsupported(body, PAYMENT_KEYS)
        value, currency = validation.amount(body.get("amount"))
        description = validation.text(body.get("description"), "description", max_length=128)
        metadata = validation.metadata(body.get("metadata"))
        capture = body.get("capture", False)
        if not isinstance(capture, bool):
            raise invalid("capture must be true or false", "capture")
        if body.get("save_payment_method"):
            raise invalid(
                "Saving payment methods is not supported by the local server", "save_payment_method"
            )
        method_type = self._method_type(body.get("payment_method_data"))
        confirmation = self._confirmation(body.get("confirmation"), method_type)
        receipt = self._receipt_for(
            body, total=value, currency=currency, required=self.config.require_receipt
        )
        now = self.clock.now()
        payment = Payment(
            id=_new_id(now, "000f"),
            status="pending",
            amount=f"{value:.2f}",
            currency=currency,
            capture=capture,
            created_at=iso(now),
            confirmation_expires_at=iso(now + timedelta(seconds=self.config.confirmation_ttl)),
            description=description,
            metadata=metadata,
            confirmation=confirmation,
            method_type=method_type,
            receipt=receipt,
            receipt_registration="pending" if receipt else None,
        )
        self.payments[payment.id] = payment
        self.save()
        return payment

    def _method_type(self, data) -> str | None:
        if data is None:
            return None
        if not isinstance(data, dict) or data.get("type") not in METHOD_TYPES:
            raise invalid(
                "payment_method_data.type must be bank_card or sbp (the others are not "
                "supported by the local server)",
                "payment_method_data.type",
            )
        if data.get("card") is not None:
            # Card data in the request needs a PCI DSS certificate: the shop has none.
            raise ApiError(
                403, "Card data may not be sent by this shop", "payment_method_data.card"
            )
        return data["type"]

    def _confirmation(self, data, method_type: str | None) -> dict:
        if not isinstance(data, dict) or "type" not in data:
            raise invalid("Missing confirmation type", "confirmation.type")
        kind = data["type"]
        if kind == "redirect":
            return_url = data.get("return_url")
            if not isinstance(return_url, str) or not return_url.startswith(
                ("http://", "https://")
            ):
                raise invalid("return_url must be an http(s) address", "confirmation.return_url")
            if len(return_url) > 2048:
                raise invalid(
                    "return_url is longer than 2048 characters", "confirmation.return_url"
                )
        elif kind == "qr":
            if method_type != "sbp":
                raise invalid(
                    "A qr confirmation needs payment_method_data of type sbp", "confirmation.type"
                )
        else:
            raise invalid(
                f"Confirmation type {kind} is not supported by the local server (redirect, qr)",
                "confirmation.type",
            )
        return {k: data[k] for k in ("type", "return_url", "enforce", "locale") if k in data}

    def _receipt_for(
        self, body: dict, *, total: Decimal, currency: str, required: bool
    ) -> dict | None:
        if body.get("receipt") is None:
            if required:
                raise invalid("Receipt is missing or illegal", "receipt")
            return None
        return validation.receipt(body["receipt"], "receipt", total=total, currency=currency)

    def authorize(
        self, payment: Payment, *, method_type: str, details: dict, three_d_secure: bool
    ) -> None:
        """The customer confirmed: money is reserved (or taken at once with `capture: true`)."""
        now = self.clock.now()
        payment.method_type = method_type
        payment.method_details = details
        payment.pending_card = None
        code = uuid.uuid4().int
        payment.authorization = {
            "rrn": f"{code % 10**12:012d}",
            "auth_code": f"{code % 10**6:06d}",
            "three_d_secure": {"applied": three_d_secure},
        }
        payment.authorized_at = iso(now)
        if payment.capture:
            self._succeed(payment)
            return
        payment.status = "waiting_for_capture"
        payment.expires_at = iso(now + timedelta(seconds=self.config.authorization_ttl))
        self.save()
        self.emit("payment.waiting_for_capture", self.api(payment))

    def decline(
        self,
        payment: Payment,
        *,
        party: str,
        reason: str,
        method_type: str | None = None,
        details: dict | None = None,
    ) -> None:
        if method_type:
            payment.method_type = method_type
            payment.method_details = details or {}
        payment.pending_card = None
        self._cancel(payment, party=party, reason=reason)

    def capture(self, payment_id: str, body: dict) -> Payment:
        payment = self.payment(payment_id)
        _unsupported(body, CAPTURE_KEYS)
        if payment.status != "waiting_for_capture":
            raise invalid(
                f"Payment is in status {payment.status}: only a payment waiting_for_capture "
                "can be captured"
            )
        value = payment.value
        if body.get("amount") is not None:
            value, currency = validation.amount(body["amount"])
            if currency != payment.currency:
                raise invalid("The currency differs from the payment's", "amount.currency")
            if value > payment.value:
                raise invalid(
                    f"The amount to capture ({value:.2f}) is more than the payment's "
                    f"({payment.amount})",
                    "amount.value",
                )
        if body.get("receipt") is not None:
            payment.receipt = validation.receipt(
                body["receipt"], "receipt", total=value, currency=payment.currency
            )
            payment.receipt_registration = "pending"
        elif payment.receipt and value != payment.value:
            raise invalid(
                "Receipt is missing or illegal: capturing another amount needs a receipt for it",
                "receipt",
            )
        payment.amount = f"{value:.2f}"
        self._succeed(payment)
        return payment

    def cancel(self, payment_id: str) -> Payment:
        payment = self.payment(payment_id)
        if payment.status != "waiting_for_capture":
            raise invalid(
                f"Payment is in status {payment.status}: only a payment waiting_for_capture "
                "can be canceled"
            )
        self._cancel(payment, party="merchant", reason="canceled_by_merchant")
        return payment

    def _succeed(self, payment: Payment) -> None:
        now = self.clock.now()
        payment.status = "succeeded"
        payment.captured_at = iso(now)
        payment.expires_at = None
        if payment.receipt:
            self._register(
                payment.receipt,
                kind="payment",
                source="payment",
                payment_id=payment.id,
                settlements=[
                    {
                        "type": "cashless",
                        "amount": {"value": payment.amount, "currency": payment.currency},
                    }
                ],
            )
        self.save()
        self.emit("payment.succeeded", self.api(payment))

    def _cancel(self, payment: Payment, *, party: str, reason: str) -> None:
        payment.status = "canceled"
        payment.expires_at = None
        payment.cancellation = {"party": party, "reason": reason}
        if payment.receipt_registration == "pending":
            payment.receipt_registration = "canceled"
        self.save()
        self.emit("payment.canceled", self.api(payment))

    # -- refunds -------------------------------------------------------------------------

    def create_refund(self, body: dict) -> Refund:
        _unsupported(body, REFUND_KEYS)
        payment_id = body.get("payment_id")
        if not isinstance(payment_id, str) or not payment_id:
            raise invalid("payment_id is missing", "payment_id")
        payment = self.payment(payment_id)
        value, currency = validation.amount(body.get("amount"))
        description = validation.text(body.get("description"), "description", max_length=250)
        metadata = validation.metadata(body.get("metadata"))
        if payment.status != "succeeded":
            raise invalid(
                f"Payment is in status {payment.status}: only a succeeded payment can be refunded",
                "payment_id",
            )
        if currency != payment.currency:
            raise invalid("The currency differs from the payment's", "amount.currency")
        if value > payment.refundable_value:
            raise invalid(
                f"The refund amount ({value:.2f}) is more than the payment's amount left to "
                f"refund ({payment.refundable_value:.2f})",
                "amount.value",
            )
        # A shop that sent a receipt with the payment is under 54-FZ: its refunds need one too.
        receipt = self._receipt_for(
            body,
            total=value,
            currency=currency,
            required=self.config.require_receipt or bool(payment.receipt),
        )
        now = self.clock.now()
        refund = Refund(
            id=_new_id(now, "0015"),
            payment_id=payment.id,
            status="succeeded",
            amount=f"{value:.2f}",
            currency=currency,
            created_at=iso(now),
            description=description,
            metadata=metadata,
            receipt=receipt,
            receipt_registration="pending" if receipt else None,
        )
        self.refunds[refund.id] = refund
        payment.refunded = f"{Decimal(payment.refunded) + value:.2f}"
        if receipt:
            self._register(
                receipt,
                kind="refund",
                source="refund",
                payment_id=payment.id,
                refund_id=refund.id,
                settlements=[
                    {"type": "cashless", "amount": {"value": refund.amount, "currency": currency}}
                ],
            )
        self.save()
        self.emit("refund.succeeded", self.api(refund))
        return refund

    # -- receipts ------------------------------------------------------------------------

    def create_receipt(self, body: dict) -> Receipt:
        """POST /v3/receipts: a receipt on its own, e.g. the settlement receipt of a prepaid
        service once it is delivered."""
        _unsupported(body, RECEIPT_KEYS)
        kind = body.get("type")
        if kind not in ("payment", "refund"):
            raise invalid("type must be payment or refund", "type")
        if body.get("send") is not True:
            raise invalid("send must be true", "send")
        payment_id, refund_id = body.get("payment_id"), body.get("refund_id")
        if kind == "payment" and not payment_id:
            raise invalid("payment_id is missing", "payment_id")
        if kind == "refund" and not (refund_id or payment_id):
            raise invalid("refund_id is missing", "refund_id")
        currency = None
        if payment_id:
            currency = self.payment(payment_id).currency
        if refund_id:
            refund = self.refund(refund_id)
            currency = refund.currency
            payment_id = payment_id or refund.payment_id
        settlements, total = validation.settlements(body.get("settlements"))
        normalised = validation.receipt(body, "", total=total, currency=currency)
        receipt = self._register(
            normalised,
            kind=kind,
            source="receipts",
            payment_id=payment_id,
            refund_id=refund_id,
            settlements=settlements,
        )
        self.save()
        return receipt

    def _register(
        self,
        receipt: dict,
        *,
        kind: str,
        source: str,
        settlements: list,
        payment_id=None,
        refund_id=None,
    ) -> Receipt:
        now = self.clock.now()
        record = Receipt(
            id="rt-" + _new_id(now, "0017"),
            type=kind,
            status="pending",
            created_at=iso(now),
            items=receipt["items"],
            settlements=settlements,
            customer=receipt["customer"],
            source=source,
            payment_id=payment_id,
            refund_id=refund_id,
            tax_system_code=receipt.get("tax_system_code"),
            internet=receipt.get("internet"),
        )
        self.receipts[record.id] = record
        return record

    # -- time ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Apply what the clock has made due: unconfirmed payments and unused authorisations
        are canceled, pending receipts are registered."""
        now = self.clock.now()
        changed = False
        for payment in list(self.payments.values()):
            if payment.status == "pending" and parse_iso(payment.confirmation_expires_at) <= now:
                self._cancel(payment, party="yoo_money", reason="expired_on_confirmation")
            elif payment.status == "waiting_for_capture" and parse_iso(payment.expires_at) <= now:
                self._cancel(payment, party="yoo_money", reason="expired_on_capture")
        delay = timedelta(seconds=self.config.receipt_delay)
        for receipt in self.receipts.values():
            if receipt.status == "pending" and parse_iso(receipt.created_at) + delay <= now:
                self._registered(receipt, now)
                changed = True
        before = len(self.keys)
        forget_expired(self.keys, now)
        if changed or len(self.keys) != before:
            self.save()

    def _registered(self, receipt: Receipt, now: datetime) -> None:
        number = uuid.uuid4().int
        receipt.status = "succeeded"
        receipt.registered_at = iso(now)
        receipt.fiscal = {
            "fiscal_document_number": str(number % 10**5),
            "fiscal_storage_number": f"99990789{number % 10**8:08d}",
            "fiscal_attribute": str(number % 10**10),
            "fiscal_provider_id": "fd9e9404-eaca-4000-8ec9-dc228ead2345",
        }
        if receipt.source == "payment" and receipt.payment_id in self.payments:
            self.payments[receipt.payment_id].receipt_registration = "succeeded"
        if receipt.source == "refund" and receipt.refund_id in self.refunds:
            self.refunds[receipt.refund_id].receipt_registration = "succeeded"
