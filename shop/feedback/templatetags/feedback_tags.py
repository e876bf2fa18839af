from django import template

from shop.feedback.selectors import tour_rating as tour_rating_read

register = template.Library()


@register.simple_tag
def tour_rating(product):
    """The published reviews and average rating of a tour (its parent product)."""
    return tour_rating_read(product.pk)
