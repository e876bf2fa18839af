"""Asking tourists how the tour was, taking their answer once, and publishing it (or not).

The day after a departure (`python manage.py feedback_requests_send`, daily; it never asks
twice) each booking's lead participant is e-mailed, in the order's language, a link signed
with the site's secret key. The link names the ticket and works once: a second answer, an
altered or made-up link, or one older than FEEDBACK_LINK_DAYS is refused politely. Staff
publish a rating and comment on the tour's page, or keep it off; either way teachers and the
guides see it.
"""

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.activity import kinds
from shop.activity.actors import SystemProcess, customer_of, system
from shop.activity.services import activity_record
from shop.bookings.models import DepartureStatus, Ticket
from shop.core.freshness import products_changed
from shop.feedback.models import RATINGS, Feedback, FeedbackStatus
from shop.order.statuses import ACTIVE_ORDER_STATUSES

SALT = "shop.feedback.link"
# How long a feedback link works.
FEEDBACK_LINK_DAYS = 60
# Departures that ended longer ago than this are not asked about any more (a run missed for
# a few days still asks; a new site does not e-mail about last year's tours).
ASK_WITHIN_DAYS = 7
MAX_COMMENT = 2000


class FeedbackError(ValueError):
    """The answer is not taken; the message is for the tourist."""


def feedback_token(ticket: Ticket) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(ticket.pk))


def feedback_path(ticket: Ticket) -> str:
    return reverse("feedback:give", kwargs={"token": feedback_token(ticket)})


def feedback_url(ticket: Ticket) -> str:
    """The link in the e-mail, in the active language (the message's)."""
    from shop.bookings.ticket_documents import site_url

    return site_url(feedback_path(ticket))


def feedback_ticket(token: str) -> Ticket:
    """The ticket a link is for; FeedbackError when it is forged, damaged or too old."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(
            token[:200], max_age=dt.timedelta(days=FEEDBACK_LINK_DAYS)
        )
    except signing.SignatureExpired:
        raise FeedbackError(
            _("This link is too old to use now. Thank you all the same for thinking of us!")
        ) from None
    except signing.BadSignature:
        raise FeedbackError(
            _("This link is not one of ours, or it was cut short: please open it from the e-mail.")
        ) from None
    ticket = (
        Ticket.objects.select_related("order", "departure__tour__product")
        .filter(pk=int(pk) if pk.isdigit() else 0)
        .first()
    )
    if ticket is None:
        raise FeedbackError(
            _("This link is not one of ours, or it was cut short: please open it from the e-mail.")
        )
    return ticket


def feedback_already_given(ticket: Ticket) -> bool:
    return Feedback.objects.filter(ticket=ticket).exists()


ALREADY = gettext_lazy(
    "Thank you: you have already told us about this tour. One answer per booking."
)


def feedback_submit(
    *, token: str, rating: int, comment: str = "", author_name: str = "", language: str
) -> Feedback:
    """Take the tourist's rating (1-5) and comment, once per booking."""
    ticket = feedback_ticket(token)
    if rating not in RATINGS:
        raise FeedbackError(_("Choose from one to five stars."))
    if ticket.departure.status == DepartureStatus.CANCELLED:
        raise FeedbackError(_("This tour was cancelled, so there is nothing to rate."))
    try:
        with transaction.atomic():
            # The ticket's lock makes a double click wait for the first answer, then refuse.
            Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket.pk).first()
            if Feedback.objects.filter(ticket=ticket).exists():
                raise FeedbackError(str(ALREADY))
            feedback = Feedback.objects.create(
                ticket=ticket,
                departure=ticket.departure,
                rating=rating,
                comment=comment.strip()[:MAX_COMMENT],
                author_name=author_name.strip()[:60],
                language=language,
            )
            activity_record(
                actor=customer_of(ticket.order),
                action=kinds.FEEDBACK_RECEIVED,
                order=ticket.order,
                departure=ticket.departure,
                after={"rating": rating, "feedback": feedback.pk},
            )
    except IntegrityError as error:
        raise FeedbackError(str(ALREADY)) from error
    return feedback


def feedback_moderate(*, feedback: Feedback, publish: bool, actor) -> Feedback:
    """Publish a review on the tour's page, or keep it off; pages show it (or not) at once."""
    status = FeedbackStatus.PUBLISHED if publish else FeedbackStatus.HIDDEN
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if feedback.status == status:
            return feedback
        before = {"status": feedback.status}
        feedback.status = status
        feedback.moderated_by = actor
        feedback.moderated_at = timezone.now()
        feedback.save(update_fields=["status", "moderated_by", "moderated_at"])
        activity_record(
            actor=actor,
            action=kinds.FEEDBACK_PUBLISHED if publish else kinds.FEEDBACK_HIDDEN,
            order=feedback.ticket.order,
            departure=feedback.departure,
            before=before,
            after={"status": status, "feedback": feedback.pk},
        )
        # The tour's page and its schema.org rating show published reviews.
        products_changed(feedback.departure.tour_id)
    return feedback


def feedback_requests_queue(*, now: dt.datetime | None = None) -> int:
    """E-mail each booking of a departure that ended before today (and within the last
    ASK_WITHIN_DAYS days) a link to rate it, once. Returns how many are new."""
    from shop.customercare.models import MessageKind
    from shop.customercare.services import message_queue

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    tickets = (
        Ticket.objects.filter(
            departure__starts_at__lt=midnight,
            departure__starts_at__gte=midnight - dt.timedelta(days=ASK_WITHIN_DAYS),
            order__status__in=ACTIVE_ORDER_STATUSES,
            no_show_at__isnull=True,
            feedback__isnull=True,
        )
        .exclude(departure__status=DepartureStatus.CANCELLED)
        .select_related("order", "departure__tour")
        .order_by("pk")
    )
    new = 0
    for ticket in tickets:
        if ticket.departure.ends_at > now:
            continue  # a tour past midnight: asked tomorrow
        with transaction.atomic():
            message, created = message_queue(
                kind=MessageKind.FEEDBACK_REQUEST,
                order=ticket.order,
                key=f"ticket-{ticket.pk}-feedback",
                ticket=ticket,
            )
            if created:
                activity_record(
                    actor=system(SystemProcess.FEEDBACK_REQUESTS),
                    action=kinds.CUSTOMER_MESSAGED,
                    order=ticket.order,
                    departure=ticket.departure,
                    after={"message": message.key, "kind": message.kind},
                )
                new += 1
    return new
