from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.choosers import product_chooser_viewset, tour_chooser_viewset
from shop.bookings.models import TicketTypeTranslation, TourTranslation


@hooks.register("register_admin_viewset")
def register_product_choosers():
    return [product_chooser_viewset, tour_chooser_viewset]


def language_panel():
    """The site's languages other than Russian, whose texts live in the shop's own fields."""
    choices = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    return FieldPanel("language", widget=forms.Select(choices=choices))


class ProductTranslationViewSet(SnippetViewSet):
    model = get_model("catalogue", "ProductTranslation")
    icon = "pick"
    menu_label = _("Products")
    list_display = ["product", "language", "title"]
    list_filter = ["language"]
    panels = [
        FieldPanel("product", widget=product_chooser_viewset.widget_class),
        language_panel(),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("meta_description"),
    ]


class CategoryTranslationViewSet(SnippetViewSet):
    model = get_model("catalogue", "CategoryTranslation")
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    list_display = ["category", "language", "name"]
    list_filter = ["language"]
    panels = [
        FieldPanel("category"),
        language_panel(),
        FieldPanel("name"),
        FieldPanel("description"),
    ]


class TourTranslationViewSet(SnippetViewSet):
    model = TourTranslation
    icon = "date"
    menu_label = _("Tours")
    list_display = ["tour", "language", "meeting_point"]
    list_filter = ["language"]
    panels = [
        FieldPanel("tour"),
        language_panel(),
        FieldPanel("meeting_point"),
        FieldPanel("what_to_bring"),
        FieldPanel("cancellation_terms"),
    ]


class TicketTypeTranslationViewSet(SnippetViewSet):
    model = TicketTypeTranslation
    icon = "tag"
    menu_label = _("Ticket types")
    list_display = ["ticket_type", "language", "name"]
    list_filter = ["language"]
    panels = [
        FieldPanel("ticket_type"),
        language_panel(),
        FieldPanel("name"),
        FieldPanel("description"),
    ]


class ShopTranslationsGroup(SnippetViewSetGroup):
    """Texts of the shop in English, Chinese or any language added to settings.LANGUAGES;
    prices, seats and stock stay in the shop's dashboard."""

    menu_label = _("Shop translations")
    menu_icon = "globe"
    menu_order = 250
    items = (
        ProductTranslationViewSet,
        TourTranslationViewSet,
        TicketTypeTranslationViewSet,
        CategoryTranslationViewSet,
    )


register_snippet(ShopTranslationsGroup)
