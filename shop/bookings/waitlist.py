"""The waiting list of sold-out departures and the seats held for it.

A visitor leaves an e-mail and how many people (`waitlist_join`). When seats come back (a
cancellation, a date change, a capacity raise, a hold that lapsed), `waitlist_offer` gives
them to the first in line that fit, one after another: each one's seats are **allocated**
with the guarded allocation of shop/order/utils.py (the departure row locked, as the order
creator locks it), so a hold counts against capacity exactly like sold seats and cannot
race a checkout for the same seat. The visitor is e-mailed a link; the booking made through
it takes the held seats instead of allocating again (shop/order/utils.py, `OrderCreator`).

A hold ends at `hold_expires_at` (WAITLIST_HOLD_HOURS, never past the booking cut-off). Its
seats go back, and to the next in line, when the task worker runs the task queued for that
moment, when `manage.py bookings_settle` runs (cron), or at the latest when anyone next asks
for the departure's seats through `waitlist_offer` (joining its list, or seats coming back).

Whenever seats are released (`stock_release`), `seats_came_back` queues an offer for that
departure once the transaction commits.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, system
from shop.activity.services import activity_record
from shop.bookings.models import (
    WAITING_STATUSES,
    Departure,
    WaitingListEntry,
    WaitStatus,
)
from shop.partner.availability import booking_size_refusal

logger = logging.getLogger(__name__)

StockRecord = get_model("partner", "StockRecord")

# A hold shorter than this (booking closes soon after the seats come back) is not offered.
SHORTEST_HOLD = dt.timedelta(minutes=30)
TOKEN_SALT = "waitlist"


class WaitlistError(ValueError):
    """The visitor cannot join or use the list; the message is for them."""


def hold_length() -> dt.timedelta:
    return dt.timedelta(hours=settings.WAITLIST_HOLD_HOURS)


def entry_token(entry: WaitingListEntry) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(entry.key)


def entry_from_token(token: str) -> WaitingListEntry | None:
    """The entry of a link's token; None when it is forged, altered or unknown."""
    try:
        key = signing.Signer(salt=TOKEN_SALT).unsign(token[:200])
    except signing.BadSignature:
        return None
    return (
        WaitingListEntry.objects.select_related("departure__tour__product").filter(key=key).first()
    )


# --- Joining --------------------------------------------------------------------------------


def waitlist_join(
    *, departure: Departure, email: str, people: int, language: str
) -> WaitingListEntry:
    """Put a visitor on the departure's waiting list (once per e-mail), then offer whatever
    seats are free to the list: a visitor who joins when seats have just come back may be
    offered them at once."""
    email = email.strip().lower()
    departure = (
        Departure.objects.select_related("tour").prefetch_related("product__stockrecords")
    ).get(pk=departure.pk)
    if reason := departure.closed_reason():
        raise WaitlistError(reason)
    if reason := booking_size_refusal(departure.tour, people):
        raise WaitlistError(reason)
    if departure.seats_left >= people and not _waiting(departure).exists():
        raise WaitlistError(
            _("There are seats for %(people)s on this date: book them now.") % {"people": people}
        )
    codes = {code for code, _name in settings.LANGUAGES}
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                departure=departure,
                email=email,
                people=people,
                language=language if language in codes else settings.LANGUAGE_CODE,
                key=uuid.uuid4().hex,
            )
    except IntegrityError:
        raise WaitlistError(
            _("%(email)s is already on the waiting list for this date.") % {"email": email}
        ) from None
    waitlist_offer(departure.pk)
    entry.refresh_from_db()
    return entry


def _waiting(departure):
    return WaitingListEntry.objects.filter(departure=departure, status=WaitStatus.WAITING)


# --- Offering seats -------------------------------------------------------------------------


def _end_hold(entry, status, now, record_id) -> None:
    """Give the entry's held seats back (inside the caller's transaction)."""
    from shop.order.utils import stock_release

    if record_id is not None:
        stock_release(record_id, entry.people)
    entry.status = status
    entry.ended_at = now
    entry.save(update_fields=["status", "ended_at"])
    activity_record(
        actor=system(SystemProcess.WAITING_LIST),
        action=kinds.WAITLIST_HOLD_ENDED,
        departure=entry.departure,
        after={"entry": entry.pk, "people": entry.people, "status": status},
    )


def waitlist_hold_lapse(entry: WaitingListEntry) -> None:
    """End a hold that ran out (inside the caller's transaction, its row locked)."""
    record_id = (
        StockRecord.objects.filter(product_id=entry.departure_id)
        .values_list("pk", flat=True)
        .first()
    )
    _end_hold(entry, WaitStatus.LAPSED, timezone.now(), record_id)


def waitlist_offer(departure_id: int, *, now: dt.datetime | None = None) -> list:
    """Hold the departure's free seats for the first waiting in line that fit, one after
    another, and e-mail each their link. Holds that ran out are released first. Safe to call
    at any time and any number of times."""
    from shop.customercare.services import waitlist_offer_queue
    from shop.order.utils import stock_allocate

    now = now or timezone.now()
    offered = []
    with transaction.atomic():
        # The order creator locks the same row before it allocates: one at a time.
        departure = (
            Departure.objects.select_for_update().select_related("tour").filter(pk=departure_id)
        ).first()
        if departure is None:
            return offered
        record = StockRecord.objects.filter(product_id=departure.pk).first()
        record_id = record.pk if record else None
        expired = departure.waiting_list.select_for_update().filter(
            status=WaitStatus.OFFERED, hold_expires_at__lte=now
        )
        for entry in expired:
            _end_hold(entry, WaitStatus.LAPSED, now, record_id)
        if departure.closed_reason(now) or record is None:
            _close_list(departure, now, record_id)
            return offered
        until = min(now + hold_length(), departure.booking_closes_at)
        if until - now < SHORTEST_HOLD:
            return offered
        record.refresh_from_db()
        free = (record.num_in_stock or 0) - (record.num_allocated or 0)
        for entry in _waiting(departure).select_for_update().order_by("created_at", "pk"):
            if free <= 0:
                break
            if entry.people > free or not stock_allocate(record_id, entry.people):
                continue
            free -= entry.people
            entry.status = WaitStatus.OFFERED
            entry.offered_at = now
            entry.hold_expires_at = until
            entry.save(update_fields=["status", "offered_at", "hold_expires_at"])
            activity_record(
                actor=system(SystemProcess.WAITING_LIST),
                action=kinds.WAITLIST_SEATS_HELD,
                departure=departure,
                after={"entry": entry.pk, "people": entry.people, "until": until.isoformat()},
            )
            waitlist_offer_queue(entry)
            pk = entry.pk
            transaction.on_commit(lambda pk=pk, until=until: _expire_at(pk, until))
            offered.append(entry)
    return offered


def _close_list(departure, now, record_id) -> None:
    """A departure nobody can book any more: holds are released, the waiting end."""
    for entry in departure.waiting_list.select_for_update().filter(status__in=WAITING_STATUSES):
        if entry.status == WaitStatus.OFFERED:
            _end_hold(entry, WaitStatus.CLOSED, now, record_id)
        else:
            entry.status = WaitStatus.CLOSED
            entry.ended_at = now
            entry.save(update_fields=["status", "ended_at"])


def _expire_at(entry_id: int, until: dt.datetime) -> None:
    """Ask the task worker to end the hold when it runs out (a worker that cannot wait is
    covered by `bookings_settle` and by the next offer)."""
    backend = waitlist_hold_expire.get_backend()
    if not backend.supports_defer:
        return
    try:
        waitlist_hold_expire.using(run_after=until + dt.timedelta(seconds=1)).enqueue(entry_id)
    except Exception:
        logger.exception("Could not queue the end of hold %s", entry_id)


@task()
def waitlist_hold_expire(entry_id: int) -> int:
    """The task queued for the moment a hold runs out: release it and offer the seats on."""
    departure_id = (
        WaitingListEntry.objects.filter(pk=entry_id).values_list("departure_id", flat=True).first()
    )
    return len(waitlist_offer(departure_id)) if departure_id else 0


@task()
def waitlist_offer_task(departure_id: int) -> int:
    return len(waitlist_offer(departure_id))


def seats_came_back(stockrecord_id: int) -> None:
    """Seats were released on a stock record: once committed, offer them to its departure's
    waiting list, if anyone waits (called by `stock_release`)."""
    departure_id = (
        StockRecord.objects.filter(pk=stockrecord_id).values_list("product_id", flat=True).first()
    )
    if departure_id is not None:
        departure_seats_changed(departure_id)


def departure_seats_changed(departure_id: int) -> None:
    """The departure may have free seats now (seats released, capacity raised, booking
    reopened): once committed, offer them to its waiting list, if anyone waits."""
    if not WaitingListEntry.objects.filter(
        departure_id=departure_id, status=WaitStatus.WAITING
    ).exists():
        return
    transaction.on_commit(lambda: _enqueue_offer(departure_id))


def _enqueue_offer(departure_id: int) -> None:
    try:
        waitlist_offer_task.enqueue(departure_id)
    except Exception:
        # bookings_settle offers it later.
        logger.exception("Could not queue the waiting list offer for departure %s", departure_id)


def waitlist_offer_everywhere(now: dt.datetime | None = None) -> int:
    """Release every hold that ran out and offer free seats wherever someone waits (the cron
    job's pass); returns how many were offered seats."""
    now = now or timezone.now()
    departures = set(
        WaitingListEntry.objects.filter(
            status=WaitStatus.OFFERED, hold_expires_at__lte=now
        ).values_list("departure_id", flat=True)
    )
    departures |= set(
        WaitingListEntry.objects.filter(status=WaitStatus.WAITING)
        .filter(
            departure__product__stockrecords__num_in_stock__gt=F(
                "departure__product__stockrecords__num_allocated"
            )
        )
        .values_list("departure_id", flat=True)
    )
    departures |= set(
        WaitingListEntry.objects.filter(status__in=WAITING_STATUSES)
        .exclude(departure__status="scheduled")
        .values_list("departure_id", flat=True)
    )
    departures |= set(
        WaitingListEntry.objects.filter(
            status__in=WAITING_STATUSES, departure__starts_at__lte=now
        ).values_list("departure_id", flat=True)
    )
    return sum(len(waitlist_offer(pk, now=now)) for pk in sorted(departures))


# --- The holder -----------------------------------------------------------------------------


def waitlist_leave(entry: WaitingListEntry) -> WaitingListEntry:
    """The visitor does not need the seats (or the place in line): held seats go to the next."""
    now = timezone.now()
    with transaction.atomic():
        Departure.objects.select_for_update().filter(pk=entry.departure_id).first()
        entry = WaitingListEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == WaitStatus.OFFERED:
            record_id = (
                StockRecord.objects.filter(product_id=entry.departure_id)
                .values_list("pk", flat=True)
                .first()
            )
            _end_hold(entry, WaitStatus.LEFT, now, record_id)
        elif entry.status == WaitStatus.WAITING:
            entry.status = WaitStatus.LEFT
            entry.ended_at = now
            entry.save(update_fields=["status", "ended_at"])
    return entry


def held_seats(*, hold_id, departure_id: int, basket_id, now=None) -> int:
    """Seats the hold `hold_id` keeps for this basket on this departure right now (0 when it
    keeps none: another basket's, run out, used)."""
    if not hold_id or not basket_id:
        return 0
    now = now or timezone.now()
    return (
        WaitingListEntry.objects.filter(
            pk=hold_id,
            departure_id=departure_id,
            basket_id=basket_id,
            status=WaitStatus.OFFERED,
            hold_expires_at__gt=now,
        )
        .values_list("people", flat=True)
        .first()
        or 0
    )
