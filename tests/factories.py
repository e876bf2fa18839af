"""Small, explicit builders for test data (no demo fixtures inside tests)."""

import datetime as dt
import importlib
import io
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, StandardPage
from shop.bookings.models import Tour
from shop.bookings.services import departure_schedule_create

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductTranslation = get_model("catalogue", "ProductTranslation")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")


def png_file(name="test.png", size=(40, 30), colour=(20, 90, 140)) -> ImageFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return ImageFile(buffer, name=name)


def make_home_page(**fields) -> HomePage:
    root = Page.get_first_root_node()
    Page.objects.filter(depth=2).delete()
    home = HomePage(
        title=fields.pop("title", "Байкальское турбюро"),
        slug="home",
        hero_title=fields.pop("hero_title", "Байкальск глазами студентов"),
        locale=Locale.get_default(),
        **fields,
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home


def make_standard_page(parent, *, title, slug, **fields) -> StandardPage:
    page = StandardPage(title=title, slug=slug, show_in_menus=True, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_translation(page, language_code: str, **fields):
    locale, _ = Locale.objects.get_or_create(language_code=language_code)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def partner() -> Partner:
    return Partner.objects.get_or_create(code="turbureau", defaults={"name": "Турбюро"})[0]


def product_class(slug: str, name: str, attributes=()) -> ProductClass:
    klass, _ = ProductClass.objects.get_or_create(
        slug=slug, defaults={"name": name, "track_stock": True}
    )
    for code, attr_name, attr_type in attributes:
        ProductAttribute.objects.get_or_create(
            product_class=klass, code=code, defaults={"name": attr_name, "type": attr_type}
        )
    return klass


def make_gingerbread(*, title="Пряник «Нерпа»", price="250", stock=10, en_title=None):
    klass = product_class(
        "gingerbread",
        "Пряник",
        [("weight_grams", "Вес", "integer"), ("shelf_life_days", "Срок", "integer")],
    )
    product = Product.objects.create(title=title, product_class=klass, is_public=True)
    product.attr.weight_grams = 90
    product.attr.shelf_life_days = 30
    product.attr.save()
    StockRecord.objects.create(
        product=product,
        partner=partner(),
        partner_sku=f"GB-{product.pk}",
        price=Decimal(price),
        price_currency=settings.OSCAR_DEFAULT_CURRENCY,
        num_in_stock=stock,
    )
    if en_title:
        ProductTranslation.objects.create(product=product, language="en", title=en_title)
    return product


def make_staff(email="staff@example.com", **fields):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=email, defaults={"email": email, "is_staff": True, **fields}
    )
    return user


def ensure_booking_basics():
    """Ticket types and line options come from a data migration; tests that run with
    transaction=True flush them, so builders put them back (idempotently)."""
    from django.apps import apps

    migration = importlib.import_module(
        "shop.bookings.migrations.0002_ticket_types_and_line_options"
    )
    migration.create(apps, None)


def make_tour(
    *,
    title="Астральные места Байкальска",
    price="900",
    departures=2,
    capacity=15,
    en_title=None,
    fares=None,
    first_start=None,
    **tour_fields,
):
    """A tour with `departures` daily departures from `first_start` (default: in 2 days).

    Fares default to adult = price, child = half, student = two thirds of it.
    """
    ensure_booking_basics()
    klass = product_class("tour", "Экскурсия")
    klass.requires_shipping = False
    klass.save(update_fields=["requires_shipping"])
    product = Product.objects.create(
        title=title,
        product_class=klass,
        structure=Product.PARENT,
        is_public=True,
        upc=f"TOUR-{Product.objects.count() + 1}",
    )
    ProductCategory.objects.get_or_create(product=product, category=tours_category())
    fields = {
        "duration_minutes": 150,
        "meeting_point": "Площадь у Дома культуры",
        "max_group_size": capacity,
        "booking_cutoff_hours": 12,
        **tour_fields,
    }
    tour = Tour.objects.create(product=product, **fields)
    price = Decimal(price)
    if fares is None:
        fares = {"adult": price, "child": price / 2, "student": (price * 2 / 3).quantize(1)}
    start = first_start or (
        timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    )
    if departures:
        local = timezone.localtime(start)
        departure_schedule_create(
            tour=tour,
            date_from=local.date(),
            date_to=local.date() + dt.timedelta(days=departures - 1),
            weekdays=set(range(7)),
            times=[local.time()],
            capacity=capacity,
            prices={code: Decimal(p) for code, p in fares.items()},
            actor=make_staff(),
        )
    if en_title:
        ProductTranslation.objects.create(product=product, language="en", title=en_title)
    return product


def tours_category():
    category = Category.objects.filter(slug="tours").first()
    return category or Category.add_root(name="Экскурсии", slug="tours")
