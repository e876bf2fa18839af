"""Small, explicit builders for test data (no demo fixtures inside tests)."""

import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image
from wagtail.models import Locale, Page, Site

from cms.models import HomePage, StandardPage

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductTranslation = get_model("catalogue", "ProductTranslation")
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


def make_tour(
    *, title="Астральные места Байкальска", price="900", departures=2, capacity=15, en_title=None
):
    klass = product_class(
        "tour",
        "Экскурсия",
        [("duration_minutes", "Продолжительность", "integer"), ("starts_at", "Начало", "datetime")],
    )
    tour = Product.objects.create(
        title=title, product_class=klass, structure=Product.PARENT, is_public=True
    )
    tour.attr.duration_minutes = 150
    tour.attr.save()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    for index in range(departures):
        child = Product.objects.create(
            parent=tour, structure=Product.CHILD, is_public=True, upc=f"T{tour.pk}-{index}"
        )
        child.attr.starts_at = start + dt.timedelta(days=index)
        child.attr.save()
        StockRecord.objects.create(
            product=child,
            partner=partner(),
            partner_sku=f"T{tour.pk}-{index}",
            price=Decimal(price),
            price_currency=settings.OSCAR_DEFAULT_CURRENCY,
            num_in_stock=capacity,
        )
    if en_title:
        ProductTranslation.objects.create(product=tour, language="en", title=en_title)
    return tour
