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


HOME_SECTIONS = [
    {"type": "featured_tours", "value": {"heading": "Экскурсии", "lead": "", "limit": 3}},
    {"type": "gingerbread", "value": {"heading": "Байкальский пряник", "lead": "", "limit": 3}},
    {"type": "upcoming_events", "value": {"heading": "События", "lead": "", "limit": 3}},
]


def make_home_page(**fields) -> HomePage:
    """A home page with the live sections the demo home has (tours, gingerbread, events)."""
    fields.setdefault("body", HOME_SECTIONS)
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


def make_member(group: str, username: str | None = None, **fields):
    """A member of a staff group (shop/core/roles.py: Students, Teachers) with the group's
    permissions, password "pw-123456"."""
    from django.contrib.auth.models import Group

    from shop.core.roles import roles_ensure_groups

    roles_ensure_groups()
    username = username or group.lower()
    fields.setdefault("email", f"{username}@example.com")
    user = get_user_model().objects.create_user(username=username, password="pw-123456", **fields)
    user.groups.add(Group.objects.get(name=group))
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


def make_content_pages(home, tour, gingerbread) -> dict:
    """Under `home`: a tour landing page over `tour`, an events calendar with an event served
    by it on its first two days, a page embedding `gingerbread`, a privacy page, a contact
    form and the navigation; the tour page and the embedding page also in English."""
    import datetime as dt

    from django.utils import timezone

    from cms.models import (
        ContactFormField,
        ContactPage,
        EventIndexPage,
        EventPage,
        EventTour,
        NavigationSettings,
        TourIndexPage,
        TourPage,
    )

    def publish(parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    tours = publish(home, TourIndexPage(title="Экскурсии", slug="ekskursii"))
    tour_page = publish(
        tours,
        TourPage(
            title="Астральные места",
            slug="astral",
            tour=tour,
            intro="Вечерняя прогулка",
            route_stops=[
                {"type": "stop", "value": {"name": "Старый причал", "text": "", "minutes": 40}}
            ],
            faq=[
                {
                    "type": "question",
                    "value": {"question": "Можно с детьми?", "answer": "<p>Да.</p>"},
                }
            ],
        ),
    )
    first = timezone.localtime(
        tour.children.order_by("departure__starts_at")[0].departure.starts_at
    )
    calendar = publish(home, EventIndexPage(title="События", slug="sobytiya"))
    event = EventPage(
        title="Ледовые выходные",
        slug="led",
        start_date=first.date(),
        end_date=first.date() + dt.timedelta(days=1),
        location="Набережная",
    )
    event.tour_links.add(EventTour(tour=tour))
    event = publish(calendar, event)
    embed = make_standard_page(
        home,
        title="Пряник",
        slug="pryanik",
        body=[{"type": "product", "value": {"product": gingerbread.pk, "note": ""}}],
    )
    privacy = make_standard_page(home, title="Конфиденциальность", slug="privacy")
    contact = ContactPage(title="Контакты", slug="kontakty", to_address="bureau@example.com")
    for order, (label, name, kind) in enumerate(
        [
            ("Ваше имя", "name", "singleline"),
            ("Почта", "email", "email"),
            ("Сообщение", "message", "multiline"),
        ]
    ):
        contact.form_fields.add(
            ContactFormField(
                sort_order=order, label=label, clean_name=name, field_type=kind, required=True
            )
        )
    contact = publish(home, contact)
    english = {}
    english["tour_page"] = make_translation(tour_page, "en", title="Astral places", slug="astral")
    english["embed"] = make_translation(embed, "en", title="Gingerbread", slug="gingerbread")
    english["event"] = make_translation(event, "en", title="Ice weekend", location="Embankment")
    english["contact"] = make_translation(contact, "en", title="Contact us")
    navigation = NavigationSettings.for_site(home.get_site())
    navigation.main_menu = [
        {"type": "page", "value": tours.pk},
        {"type": "shop", "value": "gingerbread"},
        {"type": "page", "value": calendar.pk},
        {"type": "page", "value": contact.pk},
    ]
    navigation.footer_menu = [{"type": "page", "value": embed.pk}]
    navigation.privacy_page = privacy
    navigation.save()
    return {
        "tour_page": tour_page,
        "calendar": calendar,
        "event": event,
        "embed": embed,
        "contact": contact,
        "privacy": privacy,
        "english": english,
    }


def start_today(departure, *, started: bool = True):
    """Move a departure (booked while it was days ahead) to today, local time: already
    started (a minute ago, or just after midnight) or about to start."""
    from shop.bookings.models import Departure

    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if started:
        starts_at = max(midnight + dt.timedelta(seconds=1), now - dt.timedelta(minutes=1))
    else:
        starts_at = min(midnight + dt.timedelta(days=1, seconds=-1), now + dt.timedelta(minutes=2))
    Departure.objects.filter(pk=departure.pk).update(starts_at=starts_at)
    departure.refresh_from_db()
    return departure
