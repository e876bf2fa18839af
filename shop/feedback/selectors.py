"""Reads of tourists' feedback: a tour's published reviews and rating, what a student's
guided departures were rated, the moderation list. Each in a fixed number of queries."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Window

from shop.feedback.models import Feedback, FeedbackStatus

REVIEWS_SHOWN = 6


@dataclass
class TourRating:
    average: Decimal | None
    count: int
    reviews: list


def tour_rating(tour_product_id: int, *, shown: int = REVIEWS_SHOWN) -> TourRating:
    """The tour's published reviews (newest first) and their average rating, in one query: the
    average and count are window functions over every published review, computed before the
    newest few are cut off."""
    reviews = list(
        Feedback.objects.published()
        .filter(departure__tour_id=tour_product_id)
        .select_related("departure")
        .annotate(all_average=Window(Avg("rating")), all_count=Window(Count("pk")))
        .order_by("-submitted_at", "-pk")[:shown]
    )
    if not reviews:
        return TourRating(average=None, count=0, reviews=[])
    average = Decimal(str(reviews[0].all_average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return TourRating(average=average, count=reviews[0].all_count, reviews=reviews)


def tour_rating_of(product) -> TourRating:
    """tour_rating for a product, read once per product object: the tour's page shows the
    reviews and puts the rating in its schema.org data from the same read."""
    rating = getattr(product, "_tour_rating", None)
    if rating is None:
        rating = product._tour_rating = tour_rating(product.pk)
    return rating


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
