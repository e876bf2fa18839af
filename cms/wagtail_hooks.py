from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.choosers import product_chooser_viewset, tour_chooser_viewset
from cms.models import other_languages
from shop.bookings.models import TicketTypeTranslation, TourTranslation


@hooks.register("register_admin_viewset")
def register_product_choosers():
    return [product_chooser_viewset, tour_chooser_viewset]


class ShopTranslationForm(WagtailAdminModelForm):
    """A translation is for one of the site's other languages (Russian lives in the shop's
    own fields); the field is free text in the database, so the form checks it."""

    def clean_language(self):
        language = self.cleaned_data["language"]
        if language not in dict(other_languages()):
            raise forms.ValidationError(_("Choose one of the site's languages."))
        return language


def language_panel():
    return FieldPanel("language", widget=forms.Select(choices=other_languages()))


def translation_form(*panels):
    return ObjectList(list(panels), base_form_class=ShopTranslationForm)


class ProductTranslationViewSet(SnippetViewSet):
    model = get_model("catalogue", "ProductTranslation")
    icon = "pick"
    menu_label = _("Products")
    list_display = ["product", "language", "title"]
    list_filter = ["language"]
    edit_handler = translation_form(
        FieldPanel("product", widget=product_chooser_viewset.widget_class),
        language_panel(),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("meta_description"),
    )


class CategoryTranslationViewSet(SnippetViewSet):
    model = get_model("catalogue", "CategoryTranslation")
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    list_display = ["category", "language", "name"]
    list_filter = ["language"]
    edit_handler = translation_form(
        FieldPanel("category"), language_panel(), FieldPanel("name"), FieldPanel("description")
    )


class TourTranslationViewSet(SnippetViewSet):
    model = TourTranslation
    icon = "date"
    menu_label = _("Tours")
    list_display = ["tour", "language", "meeting_point"]
    list_filter = ["language"]
    edit_handler = translation_form(
        FieldPanel("tour"),
        language_panel(),
        FieldPanel("meeting_point"),
        FieldPanel("what_to_bring"),
        FieldPanel("cancellation_terms"),
    )


class TicketTypeTranslationViewSet(SnippetViewSet):
    model = TicketTypeTranslation
    icon = "tag"
    menu_label = _("Ticket types")
    list_display = ["ticket_type", "language", "name"]
    list_filter = ["language"]
    edit_handler = translation_form(
        FieldPanel("ticket_type"), language_panel(), FieldPanel("name"), FieldPanel("description")
    )


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


@hooks.register("before_serve_page")
def share_page_with_anonymous_visitors(page, request, serve_args, serve_kwargs):
    """A page may be served from the whole-page cache (shop/core/page_cache.py) unless it is
    a form: each shown form carries its own one-time stamp. (Pages with view restrictions
    are answered with never-cache headers, which the page cache honours.)"""
    from wagtail.contrib.forms.models import FormMixin

    from shop.core import page_cache

    if not isinstance(page, FormMixin):
        page_cache.allow(request)
    return None
