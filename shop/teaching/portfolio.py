"""A student's portfolio for a period: what they did, in figures and as a timeline.

The figures are aggregate queries over the activity log, so their cost does not depend on how
much the student (or the team) did. Customer data is kept out: the timeline names orders by
number and check-ins by ticket code and head count, never by name or phone.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.models import ActivityEntry
from shop.bookings.models import DepartureStatus
from shop.core.roles import STUDENTS
from shop.feedback.selectors import feedback_on_guided_departures
from shop.teaching.models import Period
from shop.teaching.reports import (
    GOODS_DONE,
    DateRange,
    _hours,
    _money,
    _percent,
    median_span,
)
from shop.team.models import OrderHandling

Order = get_model("order", "Order")

TIMELINE_PAGE = 50


def period_range(period: Period) -> DateRange:
    return DateRange(period.starts_on, period.ends_on)


def students():
    return (
        get_user_model()
        .objects.filter(groups__name=STUDENTS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


# The kinds that count as working on an order (the "orders handled" figure).
ORDER_WORK = [code for code in kinds.ACTIONS if code.startswith("order.")]


# A check-in and its undo: the undo's entry carries the people as a negative number.
CHECK_INS = [kinds.TICKET_CHECKED_IN, kinds.TICKET_CHECK_IN_UNDONE]


def _figures(entries) -> dict:
    people = Cast(KeyTextTransform("people", "after"), IntegerField())
    figures = entries.aggregate(
        actions=Count("pk"),
        orders=Count("order", distinct=True, filter=Q(action__in=ORDER_WORK)),
        steps=Count("pk", filter=Q(action=kinds.ORDER_STEP)),
        corrections=Count("pk", filter=Q(action=kinds.ORDER_CORRECTED)),
        departures=Count("departure", distinct=True, filter=Q(action=kinds.TICKET_CHECKED_IN)),
        checkins=Count("pk", filter=Q(action=kinds.TICKET_CHECKED_IN)),
        undone=Count("pk", filter=Q(action=kinds.TICKET_CHECK_IN_UNDONE)),
        participants=Sum(people, filter=Q(action__in=CHECK_INS)),
        refunds=Count("pk", filter=Q(action=kinds.ORDER_REFUNDED)),
    )
    figures["checkins"] -= figures.pop("undone")
    return figures


@dataclass
class Portfolio:
    student: object
    period: Period
    figures: dict
    team: dict
    share_of_work: Decimal | None
    revenue: Decimal
    team_revenue: Decimal
    share_of_revenue: Decimal | None
    median_handling_hours: Decimal | None
    timeline: object  # a page of ActivityEntry
    feedback: list  # tourists' ratings of the departures they guided in the period
    guided: int  # departures they guided in the period
    average_rating: Decimal | None
    timeline_html: str = ""  # the page of the timeline, rendered (shop/teaching/views.py)


def portfolio(student, period: Period, *, page: int = 1) -> Portfolio:
    dates = period_range(period)
    # Only staff entries are anyone's work: a student's own purchase (logged as a customer)
    # and automatic actions never count.
    in_period = ActivityEntry.objects.by_staff().filter(dates.q("at"))
    mine = _figures(in_period.filter(actor=student))
    team = _figures(in_period.filter(actor__groups__name=STUDENTS))
    mine["participants"] = mine["participants"] or 0
    team["participants"] = team["participants"] or 0

    # Revenue of the orders the student took on, against all orders placed in the period.
    placed = Order.objects.filter(dates.q("date_placed"))
    revenue = _money(
        placed.filter(handling__claimed_by=student).aggregate(s=Sum("total_incl_tax"))["s"]
    )
    team_revenue = _money(placed.aggregate(s=Sum("total_incl_tax"))["s"])

    # From taking an order to handing it over (or its delivery), for the orders they took.
    done_at = Subquery(
        ActivityEntry.objects.filter(
            order_id=OuterRef("order_id"), action=kinds.ORDER_STEP, after__stage__in=GOODS_DONE
        )
        .order_by("at")
        .values("at")[:1]
    )
    handling_span = median_span(
        OrderHandling.objects.filter(claimed_by=student, claimed_at__isnull=False)
        .filter(dates.q("claimed_at"))
        .annotate(done_at=done_at),
        "claimed_at",
        "done_at",
    )
    timeline = (
        in_period.filter(actor=student)
        .select_related("order", "departure__tour__product")
        .order_by("-at", "-pk")
    )
    start = (max(page, 1) - 1) * TIMELINE_PAGE
    feedback = feedback_on_guided_departures(student, dates)
    ratings = [f.rating for f in feedback]
    return Portfolio(
        student=student,
        period=period,
        figures=mine,
        team=team,
        share_of_work=_percent(mine["actions"], team["actions"]),
        revenue=revenue,
        team_revenue=team_revenue,
        share_of_revenue=_percent(revenue, team_revenue),
        median_handling_hours=_hours(handling_span),
        timeline=list(timeline[start : start + TIMELINE_PAGE + 1]),
        feedback=feedback,
        guided=student.guided_departures.filter(dates.q("starts_at"))
        .exclude(status=DepartureStatus.CANCELLED)
        .count(),
        average_rating=(
            (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.1")) if ratings else None
        ),
    )


def students_overview(period: Period) -> list[dict]:
    """Each student's action count in the period (one grouped query)."""
    dates = period_range(period)
    counts = dict(
        ActivityEntry.objects.by_staff()
        .filter(dates.q("at"), actor__groups__name=STUDENTS)
        .values("actor")
        .annotate(n=Count("pk"))
        .values_list("actor", "n")
    )
    return [{"student": s, "actions": counts.get(s.pk, 0)} for s in students()]


def current_period(today: dt.date | None = None) -> Period | None:
    from django.utils import timezone

    today = today or timezone.localdate()
    return (
        Period.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        or Period.objects.order_by("-ends_on").first()
    )
