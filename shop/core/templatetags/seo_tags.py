"""schema.org data for search engines: a Product with its Offer for goods, a TouristTrip
with one Offer per upcoming departure for tours."""

import json

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from shop.bookings.selectors import SOLD_OUT as SOLD_OUT_ROW

register = template.Library()

IN_STOCK = "https://schema.org/InStock"
SOLD_OUT = "https://schema.org/SoldOut"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def _script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, default=str)
    # Nothing in it can close the script element.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def _image(request, product) -> list[str]:
    image = product.primary_image()
    original = getattr(image, "original", None)
    if not original:
        return []
    try:
        return [request.build_absolute_uri(original.url)]
    except ValueError:
        return []


def _provider() -> dict:
    from django.utils.translation import gettext as _

    return {
        "@type": "Organization",
        "name": str(_("Baikal student tour bureau")),
        "url": settings.WAGTAILADMIN_BASE_URL,
    }


def _rating(product) -> dict:
    """The tour's published reviews as schema.org's aggregateRating and review."""
    from django.utils.translation import gettext as _

    from shop.feedback.selectors import tour_rating_of

    rating = tour_rating_of(product)
    if not rating.count:
        return {}
    return {
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": str(rating.average),
            "reviewCount": rating.count,
            "bestRating": 5,
            "worstRating": 1,
        },
        "review": [
            {
                "@type": "Review",
                "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5},
                "author": {"@type": "Person", "name": review.author_name or str(_("A tourist"))},
                "datePublished": review.submitted_at.date().isoformat(),
                **({"reviewBody": review.comment} if review.comment else {}),
            }
            for review in rating.reviews
        ],
    }


@register.simple_tag(takes_context=True)
def product_json_ld(context, product):
    request = context["request"]
    url = request.build_absolute_uri(product.get_absolute_url())
    description = product.get_meta_description() or ""
    data = {
        "@context": "https://schema.org",
        "name": product.get_title(),
        "description": strip_tags(description).strip() or None,
        "url": url,
        "image": _image(request, product) or None,
    }
    tour = getattr(product, "tour", None) if product.is_parent else None
    if tour is not None:
        rows = context.get("departure_days") or []
        offers = []
        for _day, day_rows in rows:
            for row in day_rows:
                if row.price is None:
                    continue
                offer = {
                    "@type": "Offer",
                    "name": row.departure.local_start_label(),
                    "price": f"{row.price:.2f}",
                    "priceCurrency": settings.OSCAR_DEFAULT_CURRENCY,
                    "validThrough": row.departure.booking_closes_at.isoformat(),
                }
                if row.bookable:
                    offer["availability"] = IN_STOCK
                    offer["url"] = request.build_absolute_uri(
                        reverse("bookings:book", kwargs={"pk": product.pk})
                        + f"?departure={row.departure.pk}"
                    )
                elif row.state == SOLD_OUT_ROW:
                    offer["availability"] = SOLD_OUT
                else:
                    continue  # closed, cancelled or started: not on offer at all
                offers.append(offer)
        data.update(
            {
                "@type": "TouristTrip",
                "provider": _provider(),
                "offers": offers or None,
                **_rating(product),
            }
        )
    else:
        info = request.strategy.fetch_for_product(product)
        offer = None
        if info.price.exists:
            offer = {
                "@type": "Offer",
                "price": f"{info.price.incl_tax:.2f}",
                "priceCurrency": info.price.currency,
                "availability": IN_STOCK if info.availability.is_available_to_buy else OUT_OF_STOCK,
                "url": url,
            }
        data.update(
            {
                "@type": "Product",
                "sku": product.upc or str(product.pk),
                "brand": {"@type": "Brand", "name": _provider()["name"]},
                "offers": offer,
            }
        )
    return _script({k: v for k, v in data.items() if v not in (None, [], "")})


@register.simple_tag(takes_context=True)
def event_json_ld(context, page, rows):
    """An Event at its place and dates, with an Offer for each departure that serves it."""
    request = context["request"]
    try:
        address = context["settings"].cms.ContactSettings.localized()["address"]
    except (KeyError, AttributeError):
        address = ""
    offers = []
    for row in rows or []:
        if not row.bookable or row.price is None:
            continue
        offers.append(
            {
                "@type": "Offer",
                "name": f"{row.departure.tour.product.get_title()}, "
                f"{row.departure.local_start_label()}",
                "price": f"{row.price:.2f}",
                "priceCurrency": settings.OSCAR_DEFAULT_CURRENCY,
                "availability": IN_STOCK,
                "url": request.build_absolute_uri(
                    reverse("bookings:book", kwargs={"pk": row.departure.tour.product_id})
                    + f"?departure={row.departure.pk}"
                ),
            }
        )
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": page.title,
        "description": page.search_description or page.intro or None,
        "url": request.build_absolute_uri(page.url),
        "startDate": page.start_date.isoformat(),
        "endDate": page.last_date.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": page.location or address,
            "address": address or page.location,
        },
        "organizer": _provider(),
        "offers": offers or None,
    }
    return _script({k: v for k, v in data.items() if v not in (None, [], "")})
