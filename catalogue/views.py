"""Storefront catalogue browsed straight from the ORM.

Oscar browses through haystack, whose simple engine lists no products at all (Oscar issue
#4366). For a catalogue of this size the ORM with prefetching is simpler and faster, and
its query count does not grow with the number of products listed.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
from oscar.core.loading import get_model

from catalogue.selectors import (
    GINGERBREAD_CLASS_SLUG,
    TOUR_CLASS_SLUG,
    catalogue_product_cards_queryset,
)
from shop.bookings.selectors import departure_list_context
from shop.core.page_cache import PageCacheMixin

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")

PRODUCT_TYPES = {
    TOUR_CLASS_SLUG: _("Tours"),
    GINGERBREAD_CLASS_SLUG: _("Gingerbread"),
}
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")


class CatalogueView(PageCacheMixin, ListView):
    """All public products, optionally one product type (?type=tour)."""

    template_name = "oscar/catalogue/browse.html"
    context_object_name = "products"
    paginate_by = 24

    def get_product_type(self):
        product_type = self.request.GET.get("type", "")
        return product_type if product_type in PRODUCT_TYPES else ""

    def get_queryset(self):
        queryset = catalogue_product_cards_queryset()
        if product_type := self.get_product_type():
            queryset = queryset.filter(product_class__slug=product_type)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product_type = self.get_product_type()
        context["product_type"] = product_type
        context["product_types"] = PRODUCT_TYPES.items()
        context["summary"] = PRODUCT_TYPES.get(product_type, _("All products"))
        return context


class ProductCategoryView(CatalogueView):
    """Public products of a category and its subcategories."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"], is_public=True)
        expected = self.category.get_absolute_url()
        if request.path != expected:
            return HttpResponsePermanentRedirect(expected)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        categories = self.category.get_descendants_and_self()
        return super().get_queryset().filter(categories__in=categories).distinct()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["summary"] = self.category.get_name()
        return context


class ProductDetailView(PageCacheMixin, OscarProductDetailView):
    """Oscar's product page without the per-view analytics write.

    Oscar counts every product view with an UPDATE; on SQLite under load that write makes
    requests fail with "database is locked", and a page a festival crowd reloads should not
    write at all. A departure (child product) has no page of its own: its tour's page
    lists it.
    """

    enforce_parent = True

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("product_class", "parent", "tour")
            .prefetch_related(
                "images",
                "translations",
                "stockrecords",
                "categories",
            )
        )

    def send_signal(self, request, response, product):
        return None

    def get_context_data(self, **kwargs):
        from shop.core.freshness import depends_on

        context = super().get_context_data(**kwargs)
        depends_on(self.object.pk)  # its price, stock or seats, outside the fragments too
        if not self.object.is_parent:
            # The facts list reads the attributes (weight, filling): one query, not three.
            prefetch_related_objects(
                [self.object],
                Prefetch(
                    "attribute_values",
                    queryset=ProductAttributeValue.objects.select_related("attribute"),
                ),
            )
        tour = getattr(self.object, "tour", None) if self.object.is_parent else None
        if tour is not None:
            context["tour"] = tour
            context.update(departure_list_context(tour))
        return context
