"""The payment providers behind the payment layer, and which of them are on.

Each provider is a module with the same functions (`start`, `retrieve`, `capture`,
`cancel`, `refund`, `refunds`, `payments`) and facts (`code`, `name`, `issues_receipts`,
`cancels_unconfirmed`), speaking the shop's terms from `base.py`. Only the payment layer
(`shop/payments/`) calls them. Which are on is configuration: PAYMENT_PROVIDERS, in the
order the payment page offers them.
"""

from django.conf import settings

from shop.payments.providers import stripe, yookassa
from shop.payments.providers.base import (
    UNAVAILABLE_MESSAGE,
    Confirmation,
    PaymentDeclined,
    PaymentRejected,
    PaymentState,
    PaymentUnavailable,
    ProviderCallInTransaction,
    RemotePayment,
    RemoteRefund,
    in_transaction,
)

PROVIDERS = {yookassa.code: yookassa, stripe.code: stripe}

__all__ = [
    "UNAVAILABLE_MESSAGE",
    "Confirmation",
    "PaymentDeclined",
    "PaymentRejected",
    "PaymentState",
    "PaymentUnavailable",
    "ProviderCallInTransaction",
    "RemotePayment",
    "RemoteRefund",
    "content_security_sources",
    "enabled",
    "get",
    "in_transaction",
]


def get(code: str):
    return PROVIDERS[code]


def enabled() -> list[str]:
    """The providers customers may pay with, in the payment page's order."""
    return [code for code in settings.PAYMENT_PROVIDERS if code in PROVIDERS]


def content_security_sources() -> dict[str, list[str]]:
    """The other origins the pages of the providers that are on need, for the site's
    Content-Security-Policy (shop/core/headers.py)."""
    sources: dict[str, list[str]] = {}
    for code in enabled():
        for directive, origins in PROVIDERS[code].content_security_sources().items():
            sources.setdefault(directive, []).extend(origins)
    return sources
