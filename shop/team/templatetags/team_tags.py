from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.customercare.models import MessageKind
from shop.team.models import Stage

register = template.Library()

ORDER_STATUSES = {
    "Pending": gettext_lazy("Awaiting payment"),
    "Paid": gettext_lazy("Paid"),
    "Confirmed": gettext_lazy("Confirmed, free"),
    "Cancelled": gettext_lazy("Cancelled"),
}


def _stage(value) -> str:
    return str(Stage(value).label) if value in Stage.values else str(value or "")


@register.filter
def order_status_label(status) -> str:
    return str(ORDER_STATUSES.get(status, status))


@register.filter
def activity_label(entry) -> str:
    """What an activity entry says, in words a student and a teacher read."""
    after, before = entry.after or {}, entry.before or {}
    if entry.action == "order.claimed":
        return _("took the order")
    if entry.action == "order.step":
        text = _("marked it: %(step)s") % {"step": _stage(after.get("stage"))}
        if after.get("tracking_number"):
            text += f" ({after['tracking_number']})"
        return text
    if entry.action == "order.corrected":
        return _("corrected: %(from)s → %(to)s") % {
            "from": _stage(before.get("stage")),
            "to": _stage(after.get("stage")),
        }
    if entry.action == "order.cancelled":
        return _("cancelled the order")
    if entry.action == "line.cancelled":
        return _("cancelled a line")
    if entry.action == "order.refunded":
        return _("refunded %(amount)s ₽") % {"amount": after.get("amount", "")}
    if entry.action == "customer.messaged":
        kind = after.get("kind", "")
        label = MessageKind(kind).label if kind in MessageKind.values else kind
        return _("e-mailed the customer: %(what)s") % {"what": label}
    if entry.action == "ticket.checked_in":
        return _("checked in ticket %(code)s") % {"code": after.get("ticket", "")}
    if entry.action == "ticket.no_show":
        return _("marked ticket %(code)s as not come") % {"code": after.get("ticket", "")}
    return entry.action
