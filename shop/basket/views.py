"""The basket page, kept between visits.

Oscar's basket page loads the basket, prices every line with the offers applied and renders
the line formset, the vouchers and the totals: about fifteen queries and most of the page's
time, and the same on every visit until something the basket shows is written. For a
signed-in customer (with no guest basket waiting to be merged in) that content is kept
(shop/core/table_versions.py) until a table it read is written (a line added, a price, stock,
an offer, a voucher, an address), under the customer (and the language and time zone), and what
the clock changes in it (shop.basket.summary.clocked_versions: an offer starting or ending, a
departure's booking closing). Its forms carry a stand-in for the CSRF token, replaced with the
visitor's own on each visit. Anything else (a guest, a POST, the AJAX formset) is Oscar's.
"""

from django.conf import settings
from oscar.apps.basket import views as oscar_views

from shop.basket.summary import clocked_versions
from shop.core.table_versions import kept, rendered_forms, with_token

CONTENT_TEMPLATE = "oscar/basket/partials/basket_content.html"


def keeps_basket_pages(request) -> bool:
    """Whether this request's basket pages may be kept: a signed-in customer's GET, with no
    guest basket to merge in (which writes)."""
    return (
        request.method == "GET"
        and request.user.is_authenticated
        and settings.OSCAR_BASKET_COOKIE_OPEN not in request.COOKIES
    )


def basket_parts(request, *more) -> tuple:
    """Everything a kept basket page depends on besides the tables it reads (and the language
    and time zone): whose it is, what the clock changes, and the settings it shows (the post's
    rate, the ways to pay)."""
    return (
        request.user.pk,
        *clocked_versions(),
        str(settings.SHOP_POST_FLAT_RATE),
        tuple(settings.PAYMENT_PROVIDERS),
        settings.STRIPE_PUBLISHABLE_KEY,
        *more,
    )


class BasketView(oscar_views.BasketView):
    def get(self, request, *args, **kwargs):
        if not keeps_basket_pages(request):
            return super().get(request, *args, **kwargs)
        content = kept("basket-page", basket_parts(request), self.content)
        self.object_list = None  # the lines are in the content
        return self.render_to_response(
            {"view": self, "basket_content": with_token(request, content)}
        )

    def get_upsell_messages(self, basket):
        # The offers the middleware applied (shop/basket/middleware.py), not read again.
        offers = getattr(self.request, "basket_offers", None)
        if offers is None:
            return super().get_upsell_messages(basket)
        applied = list(basket.offer_applications.offers.values())
        return [
            {"message": offer.get_upsell_message(basket), "offer": offer}
            for offer in offers
            if offer.is_condition_partially_satisfied(basket) and offer not in applied
        ]

    def content(self) -> str:
        """The page's content as Oscar renders it, for keeping."""
        self.object_list = self.get_queryset()
        context = self.get_context_data(formset=self.construct_formset())
        context["basket"] = self.request.basket
        return rendered_forms(CONTENT_TEMPLATE, context, request=self.request)
