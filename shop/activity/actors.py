"""Who an activity entry names: a member of staff, a customer, or the shop itself.

- Staff (students, teachers, admins) act through the workspace and the dashboards; their
  entries are the evidence students are assessed on.
- A customer acts on their own order: signed in (the user is named) or as a guest (only the
  order says who; no name, e-mail or phone is copied into the log).
- The system acts when nobody clicks: an order placed and paid after the card was authorised,
  a refund of money that could not become an order, the reconciliation job. Which process it
  was is part of the entry ("Automatically · payment reconciliation").

Services take one of these as `actor`; a plain user object stands for staff. The process the
system acts in is set by the entry point (the webhook, the reconciliation job) with
`system_process(...)`, so the payment code deep inside does not pass it along by hand.
"""

import contextlib
import contextvars
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("Automatically")


class SystemProcess(models.TextChoices):
    """The automatic processes that act on orders and payments."""

    CHECKOUT = "checkout", _("checkout")
    PAYMENT_NOTIFICATION = "payment_notification", _("payment notification")
    RECONCILIATION = "reconciliation", _("payment reconciliation")
    BOOKING_CHANGE = "booking_change", _("a customer's change to a booking")
    WAITING_LIST = "waiting_list", _("waiting list")
    RECEIPTS = "receipts", _("receipts")
    GO_NO_GO = "go_no_go", _("go/no-go check")
    FEEDBACK_REQUESTS = "feedback_requests", _("feedback requests")


@dataclass(frozen=True)
class SystemActor:
    process: str


@dataclass(frozen=True)
class CustomerActor:
    """The customer of an order; `user` is None for a guest."""

    user: object | None


_current_process = contextvars.ContextVar("activity_process", default=SystemProcess.CHECKOUT)


@contextlib.contextmanager
def system_process(process: str):
    """Everything the system logs inside this block names `process` as what acted."""
    if process not in SystemProcess.values:
        raise ValueError(f"Unknown system process: {process!r}")
    token = _current_process.set(SystemProcess(process))
    try:
        yield
    finally:
        _current_process.reset(token)


def current_process() -> SystemProcess:
    """The automatic process the caller runs in (CHECKOUT outside any other: a customer's own
    request)."""
    return _current_process.get()


def system(process: str | None = None) -> SystemActor:
    """The shop acting by itself, in the given process or the one the caller set."""
    process = process or _current_process.get()
    if process not in SystemProcess.values:
        raise ValueError(f"Unknown system process: {process!r}")
    return SystemActor(process=SystemProcess(process))


def customer_of(order) -> CustomerActor:
    return CustomerActor(user=order.user if order.user_id else None)


def actor_label(kind: str, user, process: str) -> str:
    """How the log names who acted, in the active language."""
    if kind == ActorKind.SYSTEM:
        what = SystemProcess(process).label if process in SystemProcess.values else process
        return _("Automatically · %(process)s") % {"process": what}
    if kind == ActorKind.CUSTOMER:
        return str(_("Customer")) if user is not None else str(_("Customer (no account)"))
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
