"""The content pages editors make in Wagtail: home, standard, tours, events, contact form,
and the site settings (contacts, navigation).

One module on purpose (over 400 lines): Wagtail and the migrations name these models as
`cms.models.*`, and each page family below is a short section. Shop data on these pages is
read live through catalogue/selectors.py and shop/bookings/selectors.py.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from catalogue.selectors import Product, catalogue_products_by_id
from cms.blocks import (
    ContentBlock,
    FaqItemBlock,
    GalleryImageBlock,
    HomeBlock,
    MenuBlock,
    RouteStopBlock,
)
from cms.choosers import tour_chooser_viewset
from shop.bookings.selectors import tours_next_departures


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
    body = StreamField(HomeBlock(), blank=True, verbose_name=_("Sections"))

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
    subpage_types = [
        "cms.StandardPage",
        "cms.TourIndexPage",
        "cms.EventIndexPage",
        "cms.ContactPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Home page")


class StandardPage(Page):
    """A plain content page: about, terms, privacy."""

    intro = models.TextField(_("Introduction"), blank=True)
    body = StreamField(ContentBlock(), blank=True, verbose_name=_("Body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    subpage_types = ["cms.StandardPage", "cms.ContactPage"]

    class Meta:
        verbose_name = _("Standard page")


def other_languages():
    """The site's languages other than the main one (a callable: migrations keep no list)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class ContactTextsBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=other_languages, label=_("Language"))
    organisation = blocks.CharBlock(label=_("Organisation"), max_length=255, required=False)
    address = blocks.CharBlock(label=_("Address"), max_length=255, required=False)
    hours = blocks.CharBlock(label=_("Opening hours"), max_length=120, required=False)

    class Meta:
        icon = "globe"
        label = _("In another language")


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting):
    """Contacts shown in the footer of every page and on the contact page; the organisation,
    address and hours are written in Russian here and may be given in other languages."""

    organisation = models.CharField(_("Organisation"), max_length=255, blank=True)
    address = models.CharField(_("Address"), max_length=255, blank=True)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    hours = models.CharField(_("Opening hours"), max_length=120, blank=True)
    vk_url = models.URLField(_("VK page"), blank=True)
    telegram_url = models.URLField(_("Telegram channel"), blank=True)
    translations = StreamField(
        [("texts", ContactTextsBlock())], blank=True, verbose_name=_("Other languages")
    )

    panels = [
        FieldPanel("organisation"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("email"),
        FieldPanel("hours"),
        FieldPanel("vk_url"),
        FieldPanel("telegram_url"),
        FieldPanel("translations"),
    ]

    class Meta:
        verbose_name = _("Contacts")

    def localized(self) -> dict:
        """The contacts in the active language, each text falling back to the Russian one."""
        from catalogue.translation import active_language

        texts = {
            field: getattr(self, field)
            for field in ("organisation", "address", "phone", "email", "hours")
        }
        texts.update(vk_url=self.vk_url, telegram_url=self.telegram_url)
        language = active_language()
        for block in self.translations:
            if block.value["language"] == language:
                for field in ("organisation", "address", "hours"):
                    texts[field] = block.value[field] or texts[field]
        return texts


# --- Tours -------------------------------------------------------------------------------


class TourIndexPage(Page):
    """The list of tour landing pages, each with its live price and next dates."""

    intro = models.TextField(_("Introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.TourPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Tours index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)

        def load():
            # Read only when the cached list is stale (tour_index_page.html).
            pages = list(
                TourPage.objects.child_of(self)
                .live()
                .public()
                .select_related("image")
                .order_by("path")
            )
            products = {p.pk: p for p in catalogue_products_by_id([pg.tour_id for pg in pages])}
            rows = tours_next_departures(list(products.values()))
            for product in products.values():
                product.next_departures = rows.get(product.pk, [])
            return [(pg, products.get(pg.tour_id), rows.get(pg.tour_id, [])) for pg in pages]

        context["tour_cards"] = SimpleLazyObject(load)
        return context


class TourPage(Page):
    """A tour's story (route, gallery, what to bring, questions) over the shop's tour: the
    dates, seats and prices shown are the shop's own, read live."""

    tour = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("Tour in the shop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"tour__isnull": False},
        help_text=_("Its departures, seats and prices are shown on the page."),
    )
    intro = models.TextField(_("Introduction"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    story = StreamField(ContentBlock(), blank=True, verbose_name=_("Story"))
    route_stops = StreamField([("stop", RouteStopBlock())], blank=True, verbose_name=_("Route"))
    gallery = StreamField([("image", GalleryImageBlock())], blank=True, verbose_name=_("Gallery"))
    what_to_bring = models.TextField(
        _("What to bring"),
        blank=True,
        help_text=_("Empty: the list kept with the tour in the shop."),
    )
    faq = StreamField(
        [("question", FaqItemBlock())], blank=True, verbose_name=_("Questions and answers")
    )

    content_panels = Page.content_panels + [
        FieldPanel("tour", widget=tour_chooser_viewset.widget_class),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("story"),
        FieldPanel("route_stops"),
        FieldPanel("gallery"),
        FieldPanel("what_to_bring"),
        FieldPanel("faq"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("story"),
        index.SearchField("route_stops"),
        index.SearchField("faq"),
    ]
    parent_page_types = ["cms.TourIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Tour landing page")

    def get_context(self, request, *args, **kwargs):
        from shop.bookings.selectors import departure_list_context

        context = super().get_context(request, *args, **kwargs)
        product = None
        if self.tour_id:
            # A hidden tour is not on sale: its page tells its story without dates.
            product = (
                Product.objects.select_related("tour")
                .filter(pk=self.tour_id, is_public=True)
                .first()
            )
        tour = getattr(product, "tour", None) if product is not None else None
        context["product"] = product
        context["tour"] = tour
        if tour is not None:
            context.update(departure_list_context(tour))
        return context


# --- Events ------------------------------------------------------------------------------


class EventIndexPage(Page):
    """The events calendar: a month at a time, and the list of what is coming."""

    intro = models.TextField(_("Introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("Events calendar")

    def events(self):
        return EventPage.objects.child_of(self).live().public().order_by("start_date", "path")

    def get_context(self, request, *args, **kwargs):
        from cms.calendar import month_from_query, month_grid

        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        month = month_from_query(request.GET.get("month"), today)
        context["month"] = month
        context["today"] = today
        # Read only when the cached calendar is stale (event_index_page.html).
        context["calendar"] = SimpleLazyObject(lambda: month_grid(month, self.events(), today))
        return context


class EventTour(Orderable):
    event = ParentalKey("cms.EventPage", on_delete=models.CASCADE, related_name="tour_links")
    tour = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("Tour"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"tour__isnull": False},
    )

    panels = [FieldPanel("tour", widget=tour_chooser_viewset.widget_class)]

    class Meta(Orderable.Meta):
        verbose_name = _("Tour that serves the event")


class EventPage(Page):
    """A festival, a holiday, a race: its dates, and the departures that take visitors there."""

    start_date = models.DateField(_("First day"))
    end_date = models.DateField(_("Last day"), null=True, blank=True)
    time_text = models.CharField(
        _("Hours"), max_length=60, blank=True, help_text=_("For example 10:00–18:00.")
    )
    location = models.CharField(_("Place"), max_length=200, blank=True)
    intro = models.TextField(_("Introduction"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("Image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(ContentBlock(), blank=True, verbose_name=_("Body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("start_date"),
                FieldPanel("end_date"),
                FieldPanel("time_text"),
                FieldPanel("location"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        InlinePanel(
            "tour_links",
            label=_("Tours that serve the event"),
            help_text=_("Their departures on the event's days are listed on the page."),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("location"),
        index.SearchField("body"),
    ]
    parent_page_types = ["cms.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("Event")

    @property
    def last_date(self):
        return self.end_date or self.start_date

    def clean(self):
        super().clean()
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot come before the first.")})

    def departure_rows(self) -> list:
        """Departures of the event's tours on the event's days, earliest first."""
        from shop.bookings.selectors import tours_departures_between

        zone = ZoneInfo(settings.TIME_ZONE)
        return tours_departures_between(
            [link.tour_id for link in self.tour_links.all() if link.tour_id],
            dt.datetime.combine(self.start_date, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.last_date, dt.time.max, tzinfo=zone),
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rows = SimpleLazyObject(self.departure_rows)
        context["departure_rows"] = rows
        return context


# --- Contact form --------------------------------------------------------------------------


class ContactFormField(AbstractFormField):
    page = ParentalKey("cms.ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(AbstractEmailForm):
    """A form whose messages reach the bureau's inbox and are kept in the admin. Spam is kept
    out by a hidden field, a minimum time to fill in and a limit per address; the sender
    must agree to the processing of personal data."""

    intro = models.TextField(_("Introduction"), blank=True)
    thank_you_text = models.TextField(_("Thank-you text"), blank=True)

    content_panels = AbstractEmailForm.content_panels + [
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldPanel("to_address"),
                FieldPanel("from_address"),
                FieldPanel("subject"),
            ],
            heading=_("E-mail"),
        ),
    ]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("Contact page")

    def get_form_class(self):
        from cms.forms import protected_form_class

        return protected_form_class(super().get_form_class())

    def serve(self, request, *args, **kwargs):
        from cms.forms import contact_serve

        return contact_serve(self, request, *args, **kwargs)

    def process_form_submission(self, form):
        submission = self.get_submission_class().objects.create(
            form_data=form.submission_data(), page=self
        )
        if self.to_address:
            self.send_mail(form)
        return submission

    def get_data_fields(self):
        return [*super().get_data_fields(), ("consented_at", _("Consent given"))]

    def send_mail(self, form):
        from cms.forms import contact_mail_enqueue

        contact_mail_enqueue(self, form)


# --- Site settings -----------------------------------------------------------------------


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The header menu, the footer's links and the legal pages, in the site's every language:
    a page is shown in the visitor's language (when translated), shop sections by name."""

    main_menu = StreamField(MenuBlock(), blank=True, verbose_name=_("Main menu"))
    footer_menu = StreamField(MenuBlock(), blank=True, verbose_name=_("Footer links"))
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from every consent checkbox."),
    )
    terms_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("Terms of sale page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the payment step."),
    )

    panels = [
        FieldPanel("main_menu"),
        FieldPanel("footer_menu"),
        FieldPanel("privacy_page"),
        FieldPanel("terms_page"),
    ]

    class Meta:
        verbose_name = _("Navigation")
