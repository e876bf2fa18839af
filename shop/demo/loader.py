"""Builds the demo shop from the files in fixtures/. Every step is idempotent."""

import datetime as dt
import io
import tomllib
from decimal import Decimal
from pathlib import Path
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

from cms.models import ContactSettings, HomePage, StandardPage
from shop.bookings.models import Tour, TourTranslation
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
TOUR_TEXTS = {"meeting_point", "what_to_bring", "cancellation_terms"}
TOUR_FIELDS = [
    "duration_minutes",
    "meeting_point",
    "meeting_point_map_url",
    "what_to_bring",
    "languages",
    "difficulty",
    "min_group_size",
    "max_group_size",
    "max_per_booking",
    "booking_cutoff_hours",
    "cancellation_terms",
    "is_group_booking",
]


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
        defaults={field: item[field] for field in TOUR_FIELDS if field in item},
    )
    for language, texts in _translations(item).items():
        texts = {k: v for k, v in texts.items() if k in TOUR_TEXTS}
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


# --- content -----------------------------------------------------------------


def demo_load_pages() -> None:
    data = read_fixture("pages.toml")
    ru = Locale.get_default()
    en, _ = Locale.objects.get_or_create(language_code="en")
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
            body=data["home"]["body"],
            locale=ru,
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        _point_sites_at(home)
    _translate(home, en, data["home"]["en"])

    for item in data["pages"]:
        page = StandardPage.objects.filter(locale=ru, slug=item["slug"]).first()
        if page is None:
            body = list(item["body"])
            if item.get("image"):
                image = _wagtail_image(item["image"], item["title"])
                body.insert(0, {"type": "figure", "value": {"image": image.pk, "caption": ""}})
            page = StandardPage(
                title=item["title"],
                slug=item["slug"],
                intro=item["intro"],
                body=body,
                show_in_menus=True,
                locale=ru,
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        _translate(page, en, item["en"])

    contacts = ContactSettings.for_site(Site.objects.get(is_default_site=True))
    if not contacts.phone:
        for field, value in data["contacts"].items():
            setattr(contacts, field, value)
        contacts.save()


def _translate(page, locale, texts: dict) -> None:
    if page.get_translations().filter(locale=locale).exists():
        return
    translated = page.copy_for_translation(locale, copy_parents=True)
    for field, value in texts.items():
        if field == "body":
            value = _with_untranslated_blocks(page, value)
        setattr(translated, field, value)
    translated.save_revision().publish()


def _with_untranslated_blocks(page, blocks: list) -> list:
    """Images are the same in every language: carry them over into the translation."""
    figures = [
        {"type": "figure", "value": {"image": block.value["image"].pk, "caption": ""}}
        for block in page.body
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
        defaults={"domain": "127.0.0.1:8000", "name": settings.WAGTAIL_SITE_NAME},
    )


def _wagtail_image(name: str, title: str):
    image = WagtailImage.objects.filter(title=title).first()
    if image is None:
        size = (1600, 700) if name == "hero" else (1200, 800)
        content = ImageFile(io.BytesIO(artwork.render(name, size=size)), name=f"{name}.png")
        image = WagtailImage(title=title, file=content)
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
