from django import template

from shop.feedback.selectors import tour_rating_of

register = template.Library()


@register.simple_tag
def tour_rating(product):
    """The published reviews and average rating of a tour (its parent product)."""
    return tour_rating_of(product)
