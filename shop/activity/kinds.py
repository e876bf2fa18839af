"""Every kind of action the activity log knows: its code, its label and what it concerns.

The one place that names them (as Saleor's `OrderEvents`): services record with these
constants, and every page that shows the log (the team's order page, a student's portfolio
timeline, the teachers' reports) asks this registry for the words. `activity_record` refuses a
kind that is not here, so a new action cannot reach the log without a label in every language.

Each kind has
- `label`: a short title ("Order cancelled") for tables and filters;
- `phrase`: what the actor did, as the timeline shows it after the actor's name ("cancelled
  the order"), made from the entry's before/after state; the kinds only the shop does by
  itself say what happened ("the order is placed");
- `concerns`: the object it is about, so a reader knows where to look.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# What an action concerns.
ORDER = "order"
LINE = "line"
DEPARTURE = "departure"
TICKET = "ticket"
TOUR = "tour"
PERIOD = "period"
PAYMENT = "payment"
ACCOUNT = "account"
FEEDBACK = "feedback"
PROMO_CODE = "promo_code"

ORDER_PLACED = "order.placed"
ORDER_PAID = "order.paid"
ORDER_CLAIMED = "order.claimed"
ORDER_STEP = "order.step"
ORDER_CORRECTED = "order.corrected"
ORDER_CANCELLED = "order.cancelled"
ORDER_REFUNDED = "order.refunded"
LINE_CANCELLED = "line.cancelled"
PAYMENT_REFUNDED = "payment.refunded"
RECEIPT_SETTLED = "receipt.settled"
CUSTOMER_MESSAGED = "customer.messaged"
TICKET_CHECKED_IN = "ticket.checked_in"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_CHECK_IN_UNDONE = "ticket.check_in_undone"
TICKET_NO_SHOW_UNDONE = "ticket.no_show_undone"
DEPARTURE_CREATED = "departure.created"
DEPARTURE_UPDATED = "departure.updated"
DEPARTURE_CLOSED = "departure.closed"
DEPARTURE_REOPENED = "departure.reopened"
DEPARTURE_CANCELLED = "departure.cancelled"
DEPARTURE_BELOW_MINIMUM = "departure.below_minimum"
DEPARTURE_RUNS_ANYWAY = "departure.runs_anyway"
DEPARTURE_GUIDES_SET = "departure.guides_set"
FEEDBACK_RECEIVED = "feedback.received"
FEEDBACK_PUBLISHED = "feedback.published"
FEEDBACK_HIDDEN = "feedback.hidden"
TOUR_UPDATED = "tour.updated"
PERIOD_CREATED = "period.created"
PERIOD_UPDATED = "period.updated"
PERIOD_DELETED = "period.deleted"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_PART_CANCELLED = "booking.part_cancelled"
BOOKING_MOVED = "booking.moved"
# A departure we cancelled: the refund chosen (or due) instead of another date.
BOOKING_REFUND_CHOSEN = "booking.refund_chosen"
WAITLIST_SEATS_HELD = "waitlist.held"
WAITLIST_HOLD_ENDED = "waitlist.released"
WAITLIST_BOOKED = "waitlist.booked"
LOCKOUT_CLEARED = "lockout.cleared"
PROMO_CODE_CREATED = "promo_code.created"
PROMO_CODE_CHANGED = "promo_code.changed"
PROMO_CODE_ENDED = "promo_code.ended"


@dataclass(frozen=True)
class ActionKind:
    code: str
    label: object  # a lazy translation
    concerns: str
    phrase: Callable[[dict, dict], str]


def _stage(value) -> str:
    from shop.team.models import Stage

    return str(Stage(value).label) if value in Stage.values else str(value or "")


def _message_kind(value) -> str:
    from shop.customercare.models import MessageKind

    return str(MessageKind(value).label) if value in MessageKind.values else str(value or "")


def _amount(after) -> str:
    """The entry's amount of roubles as the site writes money (1 100, 450,50)."""
    try:
        value = Decimal(str(after.get("amount", "")))
    except InvalidOperation:
        return str(after.get("amount", ""))
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _step(before, after) -> str:
    text = _("marked it: %(step)s") % {"step": _stage(after.get("stage"))}
    if after.get("tracking_number"):
        text += f" ({after['tracking_number']})"
    return text


def _when(value) -> str:
    """A moment stored in an entry (ISO text) as the active language writes it."""
    from shop.core.dates import when_text

    moment = parse_datetime(value) if isinstance(value, str) else None
    return when_text(moment, "date_time") if moment else str(value or "")


def _headcount(after) -> str:
    count = int(after.get("people") or 0)
    return ngettext("%(count)d person", "%(count)d people", count) % {"count": count}


def _refund_note(after) -> str:
    if Decimal(str(after.get("refund") or 0)) <= 0:
        return ""
    return " " + _("(%(amount)s ₽ back to the card)") % {
        "amount": _amount({"amount": after["refund"]})
    }


def _booking_cancelled(before, after) -> str:
    return _("cancelled the booking %(code)s: %(people)s") % {
        "code": after.get("ticket", ""),
        "people": _headcount(after),
    } + _refund_note(after)


def _booking_part_cancelled(before, after) -> str:
    return _("took %(people)s off the booking %(code)s") % {
        "code": after.get("ticket", ""),
        "people": _headcount(after),
    } + _refund_note(after)


def _booking_moved(before, after) -> str:
    return _("moved the booking %(code)s (%(people)s) from %(from)s to %(to)s") % {
        "code": before.get("ticket", ""),
        "people": _headcount(after),
        "from": _when(before.get("starts_at")),
        "to": _when(after.get("starts_at")),
    } + _refund_note(after)


_HOLD_ENDINGS = {
    "lapsed": gettext_lazy("not booked in time"),
    "left": gettext_lazy("the visitor does not need them"),
    "closed": gettext_lazy("the departure no longer takes bookings"),
}


def _people(after) -> dict:
    return {"people": after.get("people", 0), "minimum": after.get("minimum", 0)}


def _checked_in(before, after) -> str:
    if after.get("early"):
        return _("checked in ticket %(code)s the day before the tour") % {
            "code": after.get("ticket", "")
        }
    return _("checked in ticket %(code)s") % {"code": after.get("ticket", "")}


def _guides(before, after) -> str:
    names = ", ".join(after.get("guides") or [])
    if not names:
        return _("left the departure without guides")
    return _("named the guides: %(names)s") % {"names": names}


def _fixed(text) -> Callable[[dict, dict], str]:
    return lambda before, after: str(text)


_KINDS = [
    ActionKind(
        ORDER_PLACED,
        gettext_lazy("Order placed"),
        ORDER,
        _fixed(gettext_lazy("the order is placed")),
    ),
    ActionKind(
        ORDER_PAID,
        gettext_lazy("Payment taken"),
        ORDER,
        lambda before, after: (
            _("the payment of %(amount)s ₽ is taken") % {"amount": _amount(after)}
        ),
    ),
    ActionKind(
        ORDER_CLAIMED, gettext_lazy("Order taken on"), ORDER, _fixed(gettext_lazy("took the order"))
    ),
    ActionKind(ORDER_STEP, gettext_lazy("Order step"), ORDER, _step),
    ActionKind(
        ORDER_CORRECTED,
        gettext_lazy("Step corrected"),
        ORDER,
        lambda before, after: (
            _("corrected: %(from)s → %(to)s")
            % {"from": _stage(before.get("stage")), "to": _stage(after.get("stage"))}
        ),
    ),
    ActionKind(
        ORDER_CANCELLED,
        gettext_lazy("Order cancelled"),
        ORDER,
        _fixed(gettext_lazy("cancelled the order")),
    ),
    ActionKind(
        ORDER_REFUNDED,
        gettext_lazy("Money refunded"),
        ORDER,
        lambda before, after: _("refunded %(amount)s ₽") % {"amount": _amount(after)},
    ),
    ActionKind(
        LINE_CANCELLED,
        gettext_lazy("Line cancelled"),
        LINE,
        _fixed(gettext_lazy("cancelled a line")),
    ),
    ActionKind(
        PAYMENT_REFUNDED,
        gettext_lazy("Payment without an order refunded"),
        PAYMENT,
        lambda before, after: (
            _("%(amount)s ₽ refunded: they could not become an order") % {"amount": _amount(after)}
        ),
    ),
    ActionKind(
        RECEIPT_SETTLED,
        gettext_lazy("Settlement receipt"),
        ORDER,
        lambda before, after: (
            (
                _("the tour has taken place: its settlement receipt of %(amount)s ₽ is sent")
                if after.get("issued", True)
                else _(
                    "the tour has taken place: its settlement receipt of %(amount)s ₽ is to be "
                    "issued at the cash register (paid through Stripe)"
                )
            )
            % {"amount": _amount(after)}
        ),
    ),
    ActionKind(
        CUSTOMER_MESSAGED,
        gettext_lazy("Customer e-mailed"),
        ORDER,
        lambda before, after: (
            _("e-mailed the customer: %(what)s") % {"what": _message_kind(after.get("kind"))}
        ),
    ),
    ActionKind(TICKET_CHECKED_IN, gettext_lazy("Checked in"), TICKET, _checked_in),
    ActionKind(
        TICKET_NO_SHOW,
        gettext_lazy("Did not come"),
        TICKET,
        lambda before, after: (
            _("marked ticket %(code)s as not come") % {"code": after.get("ticket", "")}
        ),
    ),
    ActionKind(
        TICKET_CHECK_IN_UNDONE,
        gettext_lazy("Check-in undone"),
        TICKET,
        lambda before, after: (
            _("undid the check-in of ticket %(code)s") % {"code": after.get("ticket", "")}
        ),
    ),
    ActionKind(
        TICKET_NO_SHOW_UNDONE,
        gettext_lazy("No-show undone"),
        TICKET,
        lambda before, after: (
            _("undid “did not come” for ticket %(code)s") % {"code": after.get("ticket", "")}
        ),
    ),
    ActionKind(
        DEPARTURE_CREATED,
        gettext_lazy("Departure added"),
        DEPARTURE,
        _fixed(gettext_lazy("added the departure")),
    ),
    ActionKind(
        DEPARTURE_UPDATED,
        gettext_lazy("Departure changed"),
        DEPARTURE,
        _fixed(gettext_lazy("changed the departure")),
    ),
    ActionKind(
        DEPARTURE_CLOSED,
        gettext_lazy("Booking closed"),
        DEPARTURE,
        _fixed(gettext_lazy("closed booking for the departure")),
    ),
    ActionKind(
        DEPARTURE_REOPENED,
        gettext_lazy("Booking reopened"),
        DEPARTURE,
        _fixed(gettext_lazy("reopened booking for the departure")),
    ),
    ActionKind(
        DEPARTURE_CANCELLED,
        gettext_lazy("Departure cancelled"),
        DEPARTURE,
        _fixed(gettext_lazy("cancelled the departure")),
    ),
    ActionKind(
        DEPARTURE_BELOW_MINIMUM,
        gettext_lazy("Below the minimum group size"),
        DEPARTURE,
        lambda before, after: (
            _(
                "the departure has %(people)s of the %(minimum)s people it needs: "
                "the bureau decides whether it runs"
            )
            % _people(after)
        ),
    ),
    ActionKind(
        DEPARTURE_RUNS_ANYWAY,
        gettext_lazy("Runs below the minimum"),
        DEPARTURE,
        lambda before, after: (
            _("decided to run the departure with %(people)s of the %(minimum)s people")
            % _people(after)
        ),
    ),
    ActionKind(DEPARTURE_GUIDES_SET, gettext_lazy("Guides named"), DEPARTURE, _guides),
    ActionKind(
        FEEDBACK_RECEIVED,
        gettext_lazy("Feedback received"),
        FEEDBACK,
        lambda before, after: (
            _("rated the tour %(rating)s of 5") % {"rating": after.get("rating", "")}
        ),
    ),
    ActionKind(
        FEEDBACK_PUBLISHED,
        gettext_lazy("Review published"),
        FEEDBACK,
        _fixed(gettext_lazy("published a tourist's review on the tour's page")),
    ),
    ActionKind(
        FEEDBACK_HIDDEN,
        gettext_lazy("Review not published"),
        FEEDBACK,
        _fixed(gettext_lazy("kept a tourist's review off the tour's page")),
    ),
    ActionKind(
        TOUR_UPDATED, gettext_lazy("Tour changed"), TOUR, _fixed(gettext_lazy("changed the tour"))
    ),
    ActionKind(
        PERIOD_CREATED,
        gettext_lazy("Period added"),
        PERIOD,
        _fixed(gettext_lazy("added a teaching period")),
    ),
    ActionKind(
        PERIOD_UPDATED,
        gettext_lazy("Period changed"),
        PERIOD,
        _fixed(gettext_lazy("changed a teaching period")),
    ),
    ActionKind(
        PERIOD_DELETED,
        gettext_lazy("Period deleted"),
        PERIOD,
        _fixed(gettext_lazy("deleted a teaching period")),
    ),
    ActionKind(
        LOCKOUT_CLEARED,
        gettext_lazy("Sign-in lockout cleared"),
        ACCOUNT,
        _fixed(gettext_lazy("cleared a sign-in lockout")),
    ),
]

_KINDS += [
    ActionKind(BOOKING_CANCELLED, gettext_lazy("Booking cancelled"), ORDER, _booking_cancelled),
    ActionKind(
        BOOKING_PART_CANCELLED,
        gettext_lazy("People taken off a booking"),
        ORDER,
        _booking_part_cancelled,
    ),
    ActionKind(BOOKING_MOVED, gettext_lazy("Booking moved to another date"), ORDER, _booking_moved),
    ActionKind(
        BOOKING_REFUND_CHOSEN,
        gettext_lazy("Refund instead of another date"),
        ORDER,
        lambda before, after: (
            _("%(amount)s ₽ refunded instead of another date") % {"amount": _amount(after)}
        ),
    ),
    ActionKind(
        WAITLIST_SEATS_HELD,
        gettext_lazy("Seats held for the waiting list"),
        DEPARTURE,
        lambda before, after: (
            _("%(people)s held for the waiting list until %(until)s")
            % {"people": _headcount(after), "until": _when(after.get("until"))}
        ),
    ),
    ActionKind(
        WAITLIST_HOLD_ENDED,
        gettext_lazy("Held seats given back"),
        DEPARTURE,
        lambda before, after: (
            _("%(people)s held for the waiting list are free again: %(why)s")
            % {
                "people": _headcount(after),
                "why": _HOLD_ENDINGS.get(after.get("status"), after.get("status", "")),
            }
        ),
    ),
    ActionKind(
        WAITLIST_BOOKED,
        gettext_lazy("Held seats booked"),
        DEPARTURE,
        lambda before, after: (
            _("%(people)s held for the waiting list are booked") % {"people": _headcount(after)}
        ),
    ),
]


def _promo_code(text) -> Callable[[dict, dict], str]:
    return lambda before, after: str(text) % {"code": after.get("code", "")}


_KINDS += [
    ActionKind(
        PROMO_CODE_CREATED,
        gettext_lazy("Promo code created"),
        PROMO_CODE,
        _promo_code(gettext_lazy("created the promo code %(code)s")),
    ),
    ActionKind(
        PROMO_CODE_CHANGED,
        gettext_lazy("Promo code changed"),
        PROMO_CODE,
        _promo_code(gettext_lazy("changed the promo code %(code)s")),
    ),
    ActionKind(
        PROMO_CODE_ENDED,
        gettext_lazy("Promo code switched off"),
        PROMO_CODE,
        _promo_code(gettext_lazy("switched off the promo code %(code)s")),
    ),
]

ACTIONS: dict[str, ActionKind] = {kind.code: kind for kind in _KINDS}


class UnknownAction(ValueError):
    pass


def action_kind(code: str) -> ActionKind:
    try:
        return ACTIONS[code]
    except KeyError:
        raise UnknownAction(f"No such activity action: {code!r} (add it to ACTIONS)") from None


def action_label(code: str) -> str:
    """The short title of a kind; an unknown code (an old row) is shown as it is."""
    kind = ACTIONS.get(code)
    return str(kind.label) if kind else code


def action_phrase(entry) -> str:
    """What the entry's actor did, in the active language."""
    kind = ACTIONS.get(entry.action)
    if kind is None:
        return entry.action
    return kind.phrase(entry.before or {}, entry.after or {})
