"""Builds the demo shop from the files in fixtures/. Every step is idempotent.

One module on purpose (over 400 lines): it reads each fixture file in turn (catalogue, tours,
pages, accounts, teaching) in the order the data depends on; development and demos only.
"""

import datetime as dt
import io
import tomllib
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site as DjangoSite
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.formats import date_format
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from cms.models import (
    ContactFormField,
    ContactPage,
    ContactSettings,
    EventIndexPage,
    EventPage,
    EventTour,
    HomePage,
    StandardPage,
    TourIndexPage,
    TourPage,
)
from shop.bookings.models import TOUR_FACT_FIELDS, TRANSLATED_FIELDS, Tour, TourTranslation
from shop.bookings.services import departure_schedule_create
from shop.core.roles import roles_ensure_groups
from shop.demo import artwork

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
DEPARTURE_HORIZON_DAYS = 28

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductImage = get_model("catalogue", "ProductImage")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductTranslation = get_model("catalogue", "ProductTranslation")
Category = get_model("catalogue", "Category")
CategoryTranslation = get_model("catalogue", "CategoryTranslation")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
WagtailImage = get_image_model()

PRODUCT_TEXTS = {"title", "description", "meta_description"}


def read_fixture(name: str) -> dict:
    with open(FIXTURES / name, "rb") as fh:
        return tomllib.load(fh)


# --- catalogue ---------------------------------------------------------------


def demo_load_catalogue(*, today: dt.date | None = None) -> None:
    data = read_fixture("catalogue.toml")
    partner, _ = Partner.objects.get_or_create(
        code=data["partner"]["code"], defaults={"name": data["partner"]["name"]}
    )
    categories = {item["slug"]: _category(item) for item in data["categories"]}
    classes = {item["slug"]: _product_class(item) for item in data["product_classes"]}

    admin = _demo_admin()
    for item in data["tours"]:
        product = _product(item, classes["tour"], categories[item["category"]], parent=True)
        tour = _tour(product, item)
        _departures(tour, item, admin, today or timezone.localdate())

    for item in data["gingerbread"]:
        product = _product(item, classes["gingerbread"], categories[item["category"]])
        product.attr.weight_grams = item["weight_grams"]
        product.attr.shelf_life_days = item["shelf_life_days"]
        product.attr.save()
        StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": item["upc"],
                "price": Decimal(item["price"]),
                "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
                "num_in_stock": item["stock"],
            },
        )


def _category(item: dict):
    category = Category.objects.filter(slug=item["slug"], depth=1).first()
    if category is None:
        category = Category.add_root(
            name=item["name"], slug=item["slug"], description=item["description"]
        )
    for language, texts in _translations(item).items():
        CategoryTranslation.objects.get_or_create(
            category=category, language=language, defaults=texts
        )
    return category


def _product_class(item: dict):
    product_class, _ = ProductClass.objects.get_or_create(
        slug=item["slug"],
        defaults={
            "name": item["name"],
            "requires_shipping": item["requires_shipping"],
            "track_stock": item["track_stock"],
        },
    )
    for attribute in item["attributes"]:
        ProductAttribute.objects.get_or_create(
            product_class=product_class,
            code=attribute["code"],
            defaults={"name": attribute["name"], "type": attribute["type"]},
        )
    return product_class


def _product(item: dict, product_class, category, parent: bool = False):
    product = Product.objects.filter(upc=item["upc"]).first()
    if product is None:
        product = Product.objects.create(
            upc=item["upc"],
            title=item["title"],
            description=item["description"].strip(),
            product_class=product_class,
            structure=Product.PARENT if parent else Product.STANDALONE,
            priority=item.get("priority", 0),
            is_public=True,
        )
        ProductCategory.objects.get_or_create(product=product, category=category)
    for language, texts in _translations(item).items():
        texts = {k: v for k, v in texts.items() if k in PRODUCT_TEXTS}
        ProductTranslation.objects.get_or_create(product=product, language=language, defaults=texts)
    if not product.images.exists():
        ProductImage.objects.create(
            product=product,
            original=ContentFile(artwork.render(item["image"]), name=f"{item['image']}.png"),
            caption=item["title"],
            display_order=0,
        )
    return product


def _translations(item: dict) -> dict[str, dict]:
    texts = {}
    for code, _name in settings.LANGUAGES:
        if code in item:
            texts[code] = {key: value.strip() for key, value in item[code].items()}
    return texts


def _demo_admin():
    """Demo departures are scheduled in the name of the demo administrator."""
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _tour(product, item: dict) -> Tour:
    tour, _ = Tour.objects.get_or_create(
        product=product,
        defaults={field: item[field] for field in TOUR_FACT_FIELDS if field in item},
    )
    for language, texts in _translations(item).items():
        texts = {k: v for k, v in texts.items() if k in TRANSLATED_FIELDS}
        if texts:
            TourTranslation.objects.get_or_create(tour=tour, language=language, defaults=texts)
    return tour


def _departures(tour: Tour, item: dict, actor, today: dt.date) -> None:
    """The next four weeks of the tour's weekly schedule (existing departures are kept)."""
    schedule = item["schedule"]
    departure_schedule_create(
        tour=tour,
        date_from=today + dt.timedelta(days=1),
        date_to=today + dt.timedelta(days=DEPARTURE_HORIZON_DAYS),
        weekdays=set(schedule["weekdays"]),
        times=[dt.time.fromisoformat(text) for text in schedule["times"]],
        capacity=tour.max_group_size,
        prices={code: Decimal(price) for code, price in item["fares"].items()},
        actor=actor,
    )


# --- promo codes -------------------------------------------------------------

_KINDS = {"percent": "Percentage", "roubles": "Absolute"}
_USAGES = {"once_per_customer": "Once per customer", "any": "Multi-use", "single": "Single use"}


def demo_load_promo_codes(*, today: dt.date | None = None) -> None:
    """The demo codes, made as the dashboard's form makes them; a code that exists is kept."""
    from shop.promocodes.services import PromoCodeTerms, promo_code_save

    Voucher = get_model("voucher", "Voucher")
    start = dt.datetime.combine(today or timezone.localdate(), dt.time(), tzinfo=LOCAL_TZ)
    for item in read_fixture("promocodes.toml")["promo_codes"]:
        if Voucher.objects.filter(code=item["code"]).exists():
            continue
        terms = PromoCodeTerms(
            name=item["name"],
            code=item["code"],
            kind=_KINDS[item["kind"]],
            value=Decimal(item["value"]),
            scope=item["scope"],
            product=None,
            starts_at=start,
            ends_at=start + dt.timedelta(days=item["days"], minutes=-1),
            usage=_USAGES[item["usage"]],
            limit=item.get("limit"),
        )
        promo_code_save(actor=_demo_admin(), terms=terms)


# --- content -----------------------------------------------------------------


def demo_load_pages(*, today: dt.date | None = None) -> None:
    data = read_fixture("pages.toml")
    ru = Locale.get_default()
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code, _name in settings.LANGUAGES
        if code != ru.language_code
    }
    root = Page.get_first_root_node()

    home = HomePage.objects.filter(locale=ru).first()
    if home is None:
        # Wagtail's placeholder page (and the Site pointing at it) make way for ours.
        Page.objects.filter(depth=2).not_type(HomePage).delete()
        home = HomePage(
            title=data["home"]["title"],
            slug=data["home"]["slug"],
            hero_title=data["home"]["hero_title"],
            hero_text=data["home"]["hero_text"],
            hero_cta_text=data["home"]["hero_cta_text"],
            hero_image=_wagtail_image(data["home"]["hero_image"], data["home"]["title"]),
            body=_stream(data["home"]["body"]),
            locale=ru,
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        _point_sites_at(home)
    _translate_all(home, data["home"], locales)
    _home_sections(home, data["home"])

    pages = {}
    for item in data["pages"]:
        extra = {}
        if item.get("image"):
            image = _wagtail_image(item["image"], item["title"])
            extra["figure"] = {"type": "figure", "value": {"image": image.pk, "caption": ""}}
        pages[item["slug"]] = _page(
            StandardPage,
            home,
            item,
            ru,
            locales,
            fields=("intro",),
            streams=("body",),
            show_in_menus=item.get("in_menu", True),
            lead_block=extra.get("figure"),
        )

    tours = data["tours"]
    index = pages[tours["slug"]] = _page(TourIndexPage, home, tours, ru, locales, fields=("intro",))
    for item in data["tour_pages"]:
        product = Product.objects.filter(upc=item["tour"]).first()
        _page(
            TourPage,
            index,
            item,
            ru,
            locales,
            fields=("intro", "what_to_bring"),
            streams=("story", "route_stops", "faq"),
            show_in_menus=False,
            tour=product,
            image=_wagtail_image(item["image"], item["title"]),
        )

    events = data["events"]
    calendar = pages[events["slug"]] = _page(
        EventIndexPage, home, events, ru, locales, fields=("intro",)
    )
    today = today or timezone.localdate()
    for item in data["event_pages"]:
        start = today + dt.timedelta(days=item["offset_days"])
        start += dt.timedelta(days=(item["weekday"] - start.weekday()) % 7)
        event = EventPage.objects.filter(locale=ru, slug=item["slug"]).first()
        if event is None:
            event = EventPage(
                start_date=start,
                end_date=start + dt.timedelta(days=item["days"] - 1),
                time_text=item["time_text"],
                image=_wagtail_image(item["image"], item["title"]),
            )
            for upc in item["tours"]:
                product = Product.objects.filter(upc=upc).first()
                if product is not None:
                    event.tour_links.add(EventTour(tour=product))
        _page(
            EventPage,
            calendar,
            item,
            ru,
            locales,
            fields=("intro", "location"),
            streams=("body",),
            show_in_menus=False,
            instance=event,
        )

    contact = data["contact"]
    page = ContactPage.objects.filter(locale=ru, slug=contact["slug"]).first()
    if page is None:
        page = ContactPage(
            to_address=contact["to_address"],
            subject=contact["subject"],
            from_address=settings.DEFAULT_FROM_EMAIL,
        )
        for order, field in enumerate(contact["fields"]):
            page.form_fields.add(ContactFormField(sort_order=order, **field))
    pages[contact["slug"]] = _page(
        ContactPage, home, contact, ru, locales, fields=("intro", "thank_you_text"), instance=page
    )
    _translate_form_fields(pages[contact["slug"]], contact, locales)

    site = Site.objects.get(is_default_site=True)
    contacts = ContactSettings.for_site(site)
    if not contacts.phone:
        for field, value in data["contacts"].items():
            setattr(contacts, field, value)
        contacts.save()
    elif not contacts.translations:
        contacts.translations = data["contacts"]["translations"]
        contacts.save()
    _navigation(site, data["navigation"], pages)


LIVE_SECTIONS = {"featured_tours", "gingerbread", "upcoming_events"}


def _home_sections(home, item: dict) -> None:
    """A demo home page made before the live sections existed gets them (and its story) from
    the fixture; one that has any of them is left as the editors made it."""
    for page in home.get_translations(inclusive=True).specific():
        if any(block.block_type in LIVE_SECTIONS for block in page.body):
            continue
        texts = item if page.locale_id == home.locale_id else item.get(page.locale.language_code)
        if texts and "body" in texts:
            page.body = _stream(texts["body"])
            page.save_revision().publish()


def _stream(blocks: list) -> list:
    """Stream data from the fixture: products are named by UPC ("upc:GB-BOX-6")."""
    result = []
    for block in blocks:
        value = block["value"]
        if block["type"] == "product":
            upc = value["product"].removeprefix("upc:")
            product = Product.objects.filter(upc=upc).first()
            if product is None:
                continue
            value = {**value, "product": product.pk, "note": value.get("note", "")}
        result.append({"type": block["type"], "value": value})
    return result


def _page(
    model,
    parent,
    item: dict,
    ru,
    locales: dict,
    *,
    fields=(),
    streams=(),
    show_in_menus=True,
    lead_block=None,
    instance=None,
    **values,
):
    """The page in Russian under `parent` (made once), and its translations."""
    page = model.objects.filter(locale=ru, slug=item["slug"]).first()
    if page is None:
        page = instance or model()
        page.title = item["title"]
        page.slug = item["slug"]
        page.locale = ru
        page.show_in_menus = show_in_menus
        for field in fields:
            setattr(page, field, item.get(field, ""))
        for field in streams:
            blocks = _stream(item.get(field, []))
            if lead_block and field == "body":
                blocks.insert(0, lead_block)
            setattr(page, field, blocks)
        for field, value in values.items():
            setattr(page, field, value)
        parent.add_child(instance=page)
        page.save_revision().publish()
    _translate_all(page, item, locales)
    return page


def _translate_all(page, item: dict, locales: dict) -> None:
    for code, locale in locales.items():
        if code in item:
            texts = {k: v for k, v in item[code].items() if k != "fields"}
            _translate(page, locale, texts)


def _translate_form_fields(page, item: dict, locales: dict) -> None:
    for code, locale in locales.items():
        translated = page.get_translations().filter(locale=locale).first()
        labels = [field["label"] for field in item.get(code, {}).get("fields", [])]
        if translated is None or not labels:
            continue
        translated = translated.specific
        changed = False
        for field, label in zip(
            translated.form_fields.order_by("sort_order"), labels, strict=False
        ):
            if field.label != label:
                field.label = label  # the clean name stays: one set of keys in every language
                field.save()
                changed = True
        if changed:
            translated.save_revision().publish()


def _navigation(site, data: dict, pages: dict) -> None:
    from cms.models import NavigationSettings

    navigation = NavigationSettings.for_site(site)
    if navigation.main_menu:
        return

    def menu(entries):
        blocks = []
        for entry in entries:
            kind, _, key = entry.partition(":")
            if kind == "shop":
                blocks.append({"type": "shop", "value": key})
            elif key in pages:
                blocks.append({"type": "page", "value": pages[key].pk})
        return blocks

    navigation.main_menu = menu(data["main"])
    navigation.footer_menu = menu(data["footer"])
    navigation.privacy_page = pages.get(data["privacy"])
    navigation.terms_page = pages.get(data["terms"])
    navigation.save()


def _translate(page, locale, texts: dict) -> None:
    if page.get_translations().filter(locale=locale).exists():
        return
    translated = page.copy_for_translation(locale, copy_parents=True)
    for field, value in texts.items():
        if isinstance(value, list):
            value = _stream(value)
            if field == "body":
                value = _with_untranslated_blocks(page, value)
        setattr(translated, field, value)
    translated.save_revision().publish()


def _with_untranslated_blocks(page, blocks: list) -> list:
    """Images are the same in every language: carry them over into the translation."""
    figures = [
        {"type": "figure", "value": {"image": block.value["image"].pk, "caption": ""}}
        for block in getattr(page, "body", [])
        if block.block_type == "figure"
    ]
    return figures + list(blocks)


def _point_sites_at(home) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    else:
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
    DjangoSite.objects.update_or_create(
        pk=settings.SITE_ID,
        # Django's own e-mails (password reset) link to this domain: the site's address.
        defaults={
            "domain": urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc,
            "name": settings.WAGTAIL_SITE_NAME,
        },
    )


def _wagtail_image(name: str, title: str):
    image = WagtailImage.objects.filter(title=title).first()
    if image is None:
        size = (1600, 700) if name == "hero" else (1200, 800)
        content = ImageFile(io.BytesIO(artwork.render(name, size=size)), name=f"{name}.png")
        image = WagtailImage(title=title, file=content)
        # As Wagtail's upload form does; otherwise its admin fills them in on a GET.
        image._set_image_file_metadata()
        image.save()
    return image


# --- accounts ----------------------------------------------------------------


def demo_load_accounts() -> None:
    roles_ensure_groups()
    data = read_fixture("accounts.toml")
    User = get_user_model()
    for item in data["accounts"]:
        user = User.objects.filter(email=item["email"]).first()
        if user is None:
            user = User(username=item["email"], email=item["email"])
            user.first_name = item["first_name"]
            user.last_name = item["last_name"]
            user.is_superuser = user.is_staff = item.get("superuser", False)
            user.set_password(data["password"])
            user.save()
        user.groups.set(Group.objects.filter(name__in=item["groups"]))


# --- teaching ----------------------------------------------------------------


def demo_load_teaching(*, today: dt.date | None = None) -> None:
    """The periods (this month, this semester) and the demo rubric, once."""
    from shop.teaching.models import Period, Rubric
    from shop.teaching.services import criterion_add, rubric_create

    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    semester = (
        (dt.date(today.year, 9, 1), dt.date(today.year, 12, 31))
        if today.month >= 9
        else (dt.date(today.year, 1, 9), dt.date(today.year, 6, 30))
    )
    for name, first, last in (
        (
            date_format(month_start, "F Y").capitalize(),
            month_start,
            next_month - dt.timedelta(days=1),
        ),
        ("Осенний семестр" if today.month >= 9 else "Весенний семестр", *semester),
    ):
        Period.objects.get_or_create(name=name, defaults={"starts_on": first, "ends_on": last})
    data = read_fixture("teaching.toml")["rubric"]
    if Rubric.objects.filter(name=data["name"]).exists():
        return
    teacher = get_user_model().objects.get(email=data["teacher"])
    rubric = rubric_create(teacher=teacher, name=data["name"], description=data["description"])
    for criterion in data["criteria"]:
        criterion_add(
            rubric=rubric,
            name=criterion["name"],
            description=criterion["description"],
            levels_text="\n".join(criterion["levels"]),
        )
