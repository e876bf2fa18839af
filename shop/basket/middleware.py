from oscar.apps.basket import middleware
from oscar.core.loading import get_class

Applicator = get_class("offer.applicator", "Applicator")


class BasketMiddleware(middleware.BasketMiddleware):
    """Oscar's, noting the offers it applied on the request (`basket_offers`), so that the
    basket page's "you could be missing out" messages do not read them again."""

    def apply_offers_to_basket(self, request, basket):
        if not basket.is_empty:
            applicator = Applicator()
            request.basket_offers = applicator.get_offers(basket, request.user, request)
            applicator.apply_offers(basket, request.basket_offers)
