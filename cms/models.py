from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.selectors import catalogue_featured_products


class HomePage(Page):
    """The landing page: hero, live products from the shop, the enterprise's story."""

    hero_title = models.CharField(_("Hero title"), max_length=120)
    hero_text = models.TextField(_("Hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_text = models.CharField(_("Button text"), max_length=60, blank=True)
    # Empty: the tour catalogue in the page's own language.
    hero_cta_link = models.CharField(_("Button link"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("Story"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_link"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("hero_text"),
        index.SearchField("body"),
    ]
    subpage_types = ["cms.StandardPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: when the cached product sections are fresh, no product is fetched.
        featured = SimpleLazyObject(catalogue_featured_products)
        context["featured_tours"] = SimpleLazyObject(lambda: featured["featured_tours"])
        context["featured_gingerbread"] = SimpleLazyObject(lambda: featured["featured_gingerbread"])
        return context


class StandardPage(Page):
    """A plain content page: about, terms, privacy."""

    intro = models.TextField(_("Introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("Body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("Standard page")


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting):
    """Contacts shown in the footer of every page."""

    organisation = models.CharField(_("Organisation"), max_length=255, blank=True)
    address = models.CharField(_("Address"), max_length=255, blank=True)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    hours = models.CharField(_("Opening hours"), max_length=120, blank=True)
    vk_url = models.URLField(_("VK page"), blank=True)
    telegram_url = models.URLField(_("Telegram channel"), blank=True)

    panels = [
        FieldPanel("organisation"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("email"),
        FieldPanel("hours"),
        FieldPanel("vk_url"),
        FieldPanel("telegram_url"),
    ]

    class Meta:
        verbose_name = _("Contacts")
