"""The objects the server keeps: payments, refunds and receipts.

Each is a dataclass of JSON-ready fields (amounts as strings, moments as ISO strings), so the
state file is plain JSON, and `to_api()` builds the object exactly as YooKassa's API shows
it (https://yookassa.ru/developers/api): fields that YooKassa leaves out in a status are left
out here too (a `confirmation` only while `pending`, `expires_at` only while
`waiting_for_capture`, `refunded_amount` only once something was refunded).
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

GATEWAY_ID = "100500"  # the test shop's single gateway


def _money(value: str, currency: str) -> dict:
    return {"value": value, "currency": currency}


@dataclass
class Payment:
    id: str
    status: str  # pending → waiting_for_capture → succeeded, or canceled
    amount: str
    currency: str
    capture: bool
    created_at: str
    confirmation_expires_at: str
    description: str | None = None
    metadata: dict = field(default_factory=dict)
    confirmation: dict | None = None  # as requested: type, return_url (and enforce, locale)
    method_type: str | None = None  # bank_card or sbp, once known
    method_details: dict = field(default_factory=dict)  # card, or the payer's bank for SBP
    authorization: dict | None = None  # rrn, auth_code, three_d_secure
    authorized_at: str | None = None
    captured_at: str | None = None
    expires_at: str | None = None
    cancellation: dict | None = None  # party, reason
    refunded: str = "0.00"
    receipt: dict | None = None  # the receipt to register when the payment succeeds
    receipt_registration: str | None = None
    pending_card: dict | None = None  # a card between the form and its 3-D Secure step

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount)

    @property
    def refundable_value(self) -> Decimal:
        return self.value - Decimal(self.refunded) if self.status == "succeeded" else Decimal(0)

    def to_api(self, *, shop_id: str, public_url: str) -> dict:
        data = {
            "id": self.id,
            "status": self.status,
            "amount": _money(self.amount, self.currency),
        }
        if self.description is not None:
            data["description"] = self.description
        data["recipient"] = {"account_id": shop_id, "gateway_id": GATEWAY_ID}
        if self.method_type:
            data["payment_method"] = self._method()
        if self.captured_at:
            data["captured_at"] = self.captured_at
        data["created_at"] = self.created_at
        if self.status == "waiting_for_capture":
            data["expires_at"] = self.expires_at
        if self.status == "pending" and self.confirmation:
            data["confirmation"] = self._confirmation(public_url)
        data["test"] = True
        if Decimal(self.refunded) > 0:
            data["refunded_amount"] = _money(self.refunded, self.currency)
        data["paid"] = self.status in ("waiting_for_capture", "succeeded")
        data["refundable"] = self.refundable_value > 0
        if self.receipt_registration:
            data["receipt_registration"] = self.receipt_registration
        data["metadata"] = self.metadata
        if self.cancellation:
            data["cancellation_details"] = self.cancellation
        if self.authorization:
            data["authorization_details"] = self.authorization
        return data

    def _method(self) -> dict:
        method = {"type": self.method_type, "id": self.id, "saved": False}
        card = self.method_details.get("card")
        if card:
            method["title"] = f"Bank card *{card['last4']}"
            method["card"] = card
        elif self.method_type == "sbp" and self.method_details:
            method.update(self.method_details)
        return method

    def _confirmation(self, public_url: str) -> dict:
        kind = self.confirmation["type"]
        page = f"{public_url}/{'sbp' if self.method_type == 'sbp' else 'checkout'}/{self.id}"
        if kind == "qr":
            return {"type": "qr", "confirmation_data": page}
        confirmation = {"type": "redirect", "confirmation_url": page}
        for key in ("enforce", "return_url"):
            if key in self.confirmation:
                confirmation[key] = self.confirmation[key]
        return confirmation


@dataclass
class Refund:
    id: str
    payment_id: str
    status: str  # succeeded at once: card and SBP refunds are not held here
    amount: str
    currency: str
    created_at: str
    description: str | None = None
    metadata: dict = field(default_factory=dict)
    receipt: dict | None = None
    receipt_registration: str | None = None

    def to_api(self, **_) -> dict:
        data = {
            "id": self.id,
            "payment_id": self.payment_id,
            "status": self.status,
            "created_at": self.created_at,
            "amount": _money(self.amount, self.currency),
        }
        if self.description is not None:
            data["description"] = self.description
        if self.receipt_registration:
            data["receipt_registration"] = self.receipt_registration
        if self.metadata:
            data["metadata"] = self.metadata
        return data


@dataclass
class Receipt:
    id: str
    type: str  # payment or refund
    status: str  # pending → succeeded
    created_at: str
    items: list
    settlements: list
    customer: dict  # kept for the tests (`/_test/receipts`); the API object has none
    source: str  # payment, refund (sent with them) or receipts (POST /v3/receipts)
    payment_id: str | None = None
    refund_id: str | None = None
    tax_system_code: int | None = None
    internet: bool | None = None
    registered_at: str | None = None
    fiscal: dict = field(default_factory=dict)

    def to_api(self, **_) -> dict:
        data = {"id": self.id, "type": self.type}
        if self.payment_id:
            data["payment_id"] = self.payment_id
        if self.refund_id:
            data["refund_id"] = self.refund_id
        data["status"] = self.status
        data.update(self.fiscal)
        if self.registered_at:
            data["registered_at"] = self.registered_at
        data["items"] = self.items
        data["settlements"] = self.settlements
        if self.tax_system_code is not None:
            data["tax_system_code"] = self.tax_system_code
        if self.internet is not None:
            data["internet"] = self.internet
        return data

    def to_record(self) -> dict:
        """Everything that was sent, the customer included (for `/_test/receipts`)."""
        return {**self.to_api(), "customer": self.customer, "source": self.source}


def dump(obj) -> dict:
    return asdict(obj)
