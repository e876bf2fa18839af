"""What every payment provider answers, in the shop's terms, and the errors it raises.

The services (`shop/payments/services.py`) only ever see these: a `RemotePayment` in one of
five states, whatever the provider calls them (Stripe's `requires_capture` and YooKassa's
`waiting_for_capture` are both AUTHORISED), and three kinds of failure the shop can act on.

Every call to a provider goes through `outside_transactions()`: a provider may take seconds
to answer, and a call made while our transaction holds row locks (or SQLite's write lock)
would stop every other checkout for that long. So the rule is structural: decide and record
under the lock, commit, then call the provider, then record its answer in a new short
transaction. A call made inside a transaction is a bug and raises at once.
"""

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.utils.translation import gettext_lazy as _


class PaymentState(enum.StrEnum):
    WAITING = "waiting"  # created; the customer has not finished confirming it
    AUTHORISED = "authorised"  # the money is reserved: ours to capture or release
    CAPTURED = "captured"  # the money is taken
    DECLINED = "declined"  # the bank or the payer refused; nothing is reserved
    CANCELED = "canceled"  # released by us, expired, or never confirmed; nothing is taken


@dataclass(frozen=True)
class Confirmation:
    """What the customer still has to do: follow a link (`redirect`), scan or open an SBP
    link (`qr`), or let Stripe.js run 3-D Secure in the page (`stripe_action`)."""

    kind: str
    target: str  # the address, or Stripe's client secret


@dataclass(frozen=True)
class RemotePayment:
    id: str
    state: PaymentState
    amount: Decimal
    currency: str  # upper case, ISO 4217
    attempt: str  # the attempt id the shop put in the payment's metadata
    refunded: Decimal = Decimal("0.00")
    message: str = ""  # why it was declined, in the customer's language
    label: str = ""  # what paid, for the order's payment source ("MasterCard •••• 4444")
    reference: str = ""  # the charge or operation id, for the order's transaction
    confirmation: Confirmation | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class RemoteRefund:
    id: str
    payment_id: str
    amount: Decimal
    succeeded: bool


class PaymentDeclined(Exception):
    """The bank or the payer refused; `message` is for the customer."""

    def __init__(self, message, payment_id=None):
        super().__init__(message)
        self.message = message
        self.payment_id = payment_id


class PaymentUnavailable(Exception):
    """The provider could not be reached or failed; the outcome of the call is unknown."""


class PaymentRejected(Exception):
    """The provider refused the request (unknown object, wrong state, bad key…): nothing
    happened."""

    def __init__(self, message, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing


class ProviderCallInTransaction(RuntimeError):
    """A provider was about to be called while a database transaction was open."""


UNAVAILABLE_MESSAGE = _(
    "The payment service is not answering right now. Nothing was charged; "
    "please try again in a few minutes."
)

# A hanging provider must not hold a customer's request for long.
TIMEOUT_SECONDS = 10


def in_transaction() -> bool:
    """Whether a transaction of ours is open (the one a TestCase wraps each test in aside:
    it holds no lock another process waits for, the test's database being its own)."""
    return any(
        connection.in_atomic_block
        and any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)
        for connection in connections.all(initialized_only=True)
    )


def outside_transactions() -> None:
    """Refuse to go on inside a transaction."""
    if in_transaction():
        raise ProviderCallInTransaction(
            "A payment provider is called inside a database transaction: commit first, "
            "call the provider after (see shop/payments/providers/base.py)."
        )


def to_minor_units(amount: Decimal) -> int:
    """Roubles to kopecks."""
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor_units(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
