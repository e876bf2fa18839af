"""Reads of tourists' feedback: a tour's published reviews and rating, what a student's
guided departures were rated, the moderation list. Each in a fixed number of queries."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count

from shop.feedback.models import Feedback, FeedbackStatus

REVIEWS_SHOWN = 6


@dataclass
class TourRating:
    average: Decimal | None
    count: int
    reviews: list


def tour_rating(tour_product_id: int, *, shown: int = REVIEWS_SHOWN) -> TourRating:
    """The tour's published reviews (newest first) and their average rating."""
    published = Feedback.objects.published().filter(departure__tour_id=tour_product_id)
    figures = published.aggregate(average=Avg("rating"), count=Count("pk"))
    average = figures["average"]
    if average is not None:
        average = Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    reviews = list(published.select_related("departure").order_by("-submitted_at", "-pk")[:shown])
    return TourRating(average=average, count=figures["count"], reviews=reviews)


def feedback_on_guided_departures(student, dates) -> list:
    """Ratings and comments on the departures the student guided in the period."""
    return list(
        Feedback.objects.filter(dates.q("departure__starts_at"), departure__guides=student)
        .select_related("departure__tour__product")
        .order_by("-departure__starts_at", "-pk")
    )


def feedback_for_moderation(status: str | None = None) -> list:
    feedback = Feedback.objects.select_related(
        "departure__tour__product", "moderated_by"
    ).prefetch_related("departure__guides")
    if status in FeedbackStatus.values:
        feedback = feedback.filter(status=status)
    return list(feedback.order_by("-submitted_at", "-pk")[:200])
