from django.db.models import Exists, OuterRef, Prefetch
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.order.statuses import ACTIVE_ORDER_STATUSES
from shop.shipping.methods import PostRussia
from shop.team.models import FINAL_STAGES, Stage

Order = get_model("order", "Order")
Line = get_model("order", "Line")

NEEDS_NEXT = {
    Stage.CONFIRMED: "pack",
    Stage.PACKED: "hand_out",
    Stage.READY: "hand_over",
    Stage.SHIPPED: "confirm_delivery",
}


def orders_needing_the_team():
    """Paid orders with gingerbread not yet handed over or delivered, oldest first."""
    goods = Line.objects.filter(order=OuterRef("pk"), product__departure__isnull=True).exclude(
        product=None
    )
    return (
        Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES)
        .filter(Exists(goods))
        .exclude(handling__stage__in=FINAL_STAGES)
        .select_related("handling__claimed_by", "user")
        .prefetch_related(Prefetch("lines", queryset=Line.objects.order_by("pk")))
        .order_by("date_placed", "pk")
    )


def queue_rows(orders) -> list[dict]:
    rows = []
    for order in orders:
        handling = getattr(order, "handling", None)
        stage = handling.stage if handling else Stage.CONFIRMED
        needs = NEEDS_NEXT.get(stage, "")
        if needs == "hand_out":
            needs = "ship" if order.shipping_code == PostRussia.code else "mark_ready"
        rows.append(
            {
                "order": order,
                "stage": Stage(stage),
                "needs": needs,
                "claimed_by": handling.claimed_by if handling else None,
                "items": sum(line.quantity for line in order.lines.all()),
            }
        )
    return rows


def order_history(order):
    return ActivityEntry.objects.filter(order=order).select_related("actor").order_by("at", "pk")
