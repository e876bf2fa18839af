"""Choosers that let editors pick Oscar products inside Wagtail (blocks and page fields).

The chosen product is stored by id only: pages always show its live title, price and seats.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

Product = get_model("catalogue", "Product")


class ProductFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Title or UPC")}),
        required=False,
    )

    def filter(self, objects):
        from shop.core.search import products_matching, search_query_clean, search_terms

        query, _cut = search_query_clean(self.cleaned_data.get("q") or "")
        terms = search_terms(query)
        if terms:
            self.is_searching = True
            self.search_query = query
            # The site search's matching (any case, any language), or the UPC as typed.
            matching = products_matching(objects, terms).values("pk")
            objects = objects.filter(Q(pk__in=matching) | Q(upc__iexact=query))
        return objects


class _ProductListMixin:
    filter_form_class = ProductFilterForm
    ordering = ("product_class__name", "title")

    def get_object_list(self):
        # Tours and goods on sale, not their departures (a departure is shown on its tour's
        # page); hidden products stay in the shop's dashboard.
        return Product.objects.browsable().filter(is_public=True).select_related("product_class")

    @property
    def columns(self):
        return [
            self.title_column,
            Column("product_class", label=_("Type"), accessor="product_class"),
        ]


class ProductChooseView(_ProductListMixin, ChooseView):
    pass


class ProductChooseResultsView(_ProductListMixin, ChooseResultsView):
    pass


class ProductChooserViewSet(ChooserViewSet):
    model = Product
    icon = "pick"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit")
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    # Products are created in the shop's dashboard, where prices and stock are kept.
    creation_form_class = None
    form_fields = None


class TourChooseView(ProductChooseView):
    def get_object_list(self):
        return super().get_object_list().filter(tour__isnull=False)


class TourChooseResultsView(ProductChooseResultsView):
    def get_object_list(self):
        return super().get_object_list().filter(tour__isnull=False)


class TourChooserViewSet(ProductChooserViewSet):
    choose_one_text = _("Choose a tour")
    choose_another_text = _("Choose another tour")
    choose_view_class = TourChooseView
    choose_results_view_class = TourChooseResultsView
    register_widget = False


product_chooser_viewset = ProductChooserViewSet("product_chooser")
tour_chooser_viewset = TourChooserViewSet("tour_chooser")
ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="cms.choosers"
)
TourChooserBlock = tour_chooser_viewset.get_block_class(
    name="TourChooserBlock", module_path="cms.choosers"
)
