"""The go/no-go moment: does a departure with fewer people than its tour's minimum run?

Each tour says how many hours before the start this is decided (`Tour.decision_hours`) and
whether a departure still below its minimum group size is then cancelled by itself
(`Tour.cancel_below_minimum`). `python manage.py departures_go_no_go` (cron, every 15
minutes; running it again changes nothing) looks once at every departure whose moment has
come:

- enough people booked: it runs, nothing to do;
- below the minimum, on a tour that cancels by itself: cancelled for everyone by the system
  (shop/bookings/cancellation.py, reason "too few people"), refunds and e-mails included;
- below the minimum otherwise: logged by the system, listed for the guides in the workspace
  and for the bureau in the dashboard, and e-mailed to the bureau (SHOP_BUREAU_EMAIL), who
  decide in one tap: run it anyway (`departure_run_anyway`) or cancel it for everyone.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, system, system_process
from shop.activity.services import activity_record
from shop.bookings.cancellation import CancellationError, departure_cancel_for_everyone
from shop.bookings.models import CancelReason, Departure, DepartureStatus

StockRecord = get_model("partner", "StockRecord")

logger = logging.getLogger(__name__)

# The latest a tour may decide (the dashboard's form keeps within it), so that the check
# reads only the departures of the next two weeks.
MAX_DECISION_HOURS = 14 * 24

ENOUGH, BELOW, CANCELLED = "enough", "below", "cancelled"


class DecisionError(ValueError):
    """The decision cannot be taken so; the message is for the member of staff."""


@dataclass
class GoNoGoResult:
    enough: int = 0
    below: int = 0
    cancelled: int = 0


def _people(departure) -> int:
    record = StockRecord.objects.filter(product_id=departure.pk).first()
    return (record.num_allocated or 0) if record else 0


def departures_go_no_go(*, now: dt.datetime | None = None) -> GoNoGoResult:
    """Look at every departure whose go/no-go moment has come and nobody has looked at."""
    now = now or timezone.now()
    result = GoNoGoResult()
    due = [
        departure
        for departure in Departure.objects.filter(
            minimum_checked_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(hours=MAX_DECISION_HOURS),
        )
        .exclude(status=DepartureStatus.CANCELLED)
        .select_related("tour")
        .order_by("starts_at")
        if departure.decision_at <= now
    ]
    for departure in due:
        try:
            outcome = _decide(departure, now)
        except Exception:
            # One departure that fails (the payment service is down) never stops the rest:
            # it is looked at again on the next run.
            logger.exception("Go/no-go check of departure %s failed", departure.pk)
            continue
        if outcome:
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _decide(departure, now) -> str | None:
    with transaction.atomic():
        departure = (
            Departure.objects.select_for_update()
            .select_related("tour__product")
            .get(pk=departure.pk)
        )
        if departure.minimum_checked_at or departure.status == DepartureStatus.CANCELLED:
            return None  # another run has just done it
        people, minimum = _people(departure), departure.tour.min_group_size
        if people < minimum and departure.tour.cancel_below_minimum:
            auto = True
        else:
            auto = False
            departure.minimum_checked_at = now
            departure.save(update_fields=["minimum_checked_at"])
            if people >= minimum:
                return ENOUGH
            activity_record(
                actor=system(SystemProcess.GO_NO_GO),
                action=kinds.DEPARTURE_BELOW_MINIMUM,
                departure=departure,
                after={"people": people, "minimum": minimum},
            )
            pk = departure.pk
            transaction.on_commit(lambda: _enqueue_bureau_mail(pk))
    if not auto:
        return BELOW
    # Cancelled outside the check's lock: the refunds must not be asked for under it. The
    # cancellation re-counts the people under its own lock.
    with system_process(SystemProcess.GO_NO_GO):
        try:
            departure_cancel_for_everyone(
                departure=departure,
                actor=system(),
                reason=CancelReason.TOO_FEW,
                only_below_minimum=True,
                # Nobody to ask: the customers are offered another date, the refund waits.
                offer_rebooking=True,
            )
        except CancellationError:
            return None  # enough people booked meanwhile: the next run finds it running
    return CANCELLED


def departure_run_anyway(*, departure, actor, now: dt.datetime | None = None) -> Departure:
    """The bureau's decision: it runs with fewer people than the minimum."""
    now = now or timezone.now()
    with transaction.atomic():
        departure = (
            Departure.objects.select_for_update()
            .select_related("tour__product")
            .get(pk=departure.pk)
        )
        if departure.status == DepartureStatus.CANCELLED:
            raise DecisionError(_("This departure is cancelled."))
        if departure.starts_at <= now:
            raise DecisionError(_("This departure has already started."))
        if departure.runs_anyway_at:
            return departure
        people, minimum = _people(departure), departure.tour.min_group_size
        if people >= minimum:
            raise DecisionError(_("It has enough people booked: it runs anyway."))
        departure.runs_anyway_at = now
        departure.runs_anyway_by = actor
        departure.minimum_checked_at = departure.minimum_checked_at or now
        departure.save(update_fields=["runs_anyway_at", "runs_anyway_by", "minimum_checked_at"])
        activity_record(
            actor=actor,
            action=kinds.DEPARTURE_RUNS_ANYWAY,
            departure=departure,
            before={"runs_anyway": False},
            after={"runs_anyway": True, "people": people, "minimum": minimum},
        )
    return departure


def departure_cancel_too_few(*, departure, actor):
    """The bureau's other decision: cancelled for everyone, for too few people."""
    return departure_cancel_for_everyone(
        departure=departure, actor=actor, reason=CancelReason.TOO_FEW, only_below_minimum=True
    )


# --- Telling the bureau ------------------------------------------------------------------


def _enqueue_bureau_mail(departure_id: int) -> None:
    try:
        bureau_below_minimum_send.enqueue(departure_id)
    except Exception:
        # The departure is listed in the workspace and the dashboard all the same.
        logger.exception("Could not queue the bureau's e-mail about departure %s", departure_id)


@task()
def bureau_below_minimum_send(departure_id: int) -> None:
    """E-mail the bureau (in the site's main language) which departure needs a decision."""
    from shop.bookings.ticket_documents import site_url

    departure = Departure.objects.select_related("tour__product").get(pk=departure_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "departure": departure,
            "title": departure.tour.product.get_title(),
            "people": _people(departure),
            "minimum": departure.tour.min_group_size,
            "dashboard_url": site_url(
                reverse("bookings-dashboard:tour-detail", kwargs={"pk": departure.tour_id})
            ),
            "workspace_url": site_url(reverse("team:manifest", kwargs={"pk": departure.pk})),
        }
        subject = " ".join(
            render_to_string("bookings/email/below_minimum_subject.txt", context).split()
        )
        body = render_to_string("bookings/email/below_minimum.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.SHOP_BUREAU_EMAIL],
    ).send()
