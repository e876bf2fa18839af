import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from oscar.core.loading import get_model
from wagtail.models import Page, Site

from cms.models import HomePage
from tests.databases import rows_for_the_module

# `make run` loads the demo data into SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
ProductImage = get_model("catalogue", "ProductImage")
ProductTranslation = get_model("catalogue", "ProductTranslation")
Order = get_model("order", "Order")
User = get_user_model()


def _counts():
    User = get_user_model()
    return {
        "products": Product.objects.count(),
        "stockrecords": StockRecord.objects.count(),
        "images": ProductImage.objects.count(),
        "translations": ProductTranslation.objects.count(),
        "pages": Page.objects.count(),
        "users": User.objects.count(),
        "sites": Site.objects.count(),
        "vouchers": get_model("voucher", "Voucher").objects.count(),
    }


@pytest.fixture(scope="module")
def _demo_media(tmp_path_factory):
    return str(tmp_path_factory.mktemp("demo-media"))


@pytest.fixture(autouse=True)
def _media_root(settings, _demo_media):
    """The module's media folder: the demo images are drawn once, with the demo data."""
    settings.MEDIA_ROOT = _demo_media


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker, _demo_media):
    # Loading takes seconds: once for the module, each test in a savepoint of its own.
    with override_settings(MEDIA_ROOT=_demo_media), rows_for_the_module(django_db_blocker):
        call_command("load_demo_data")
        yield _counts()


@pytest.fixture
def loaded(db, _demo_rows):
    """The row counts right after loading the demo data."""
    return _demo_rows


def test_demo_data_twice_changes_nothing(loaded):
    call_command("load_demo_data")
    assert _counts() == loaded


def test_demo_catalogue_has_tours_and_gingerbread_in_two_languages(loaded):
    tours = Product.objects.filter(product_class__slug="tour", structure="parent")
    assert tours.count() == 4
    assert set(
        Product.objects.filter(product_class__slug="gingerbread").values_list("upc", flat=True)
    ) == {
        "GB-NERPA-1",
        "GB-BOX-6",
        "GB-GIFTSET",
    }
    astral = tours.get(upc="TOUR-ASTRAL")
    assert astral.title == "Астральные места Байкальска"
    assert astral.translations.get(language="en").title == "Astral places of Baikalsk"
    assert astral.children.count() > 0
    assert StockRecord.objects.get(product__upc="GB-BOX-6").price == 1350


def test_demo_promo_codes_are_on_the_promo_code_page(loaded, client):
    client.force_login(User.objects.get(email="admin@example.com"))
    page = client.get("/shop/dashboard/promo-codes/").content.decode()
    assert "STUDENT10" in page and "Скидка студентам" in page
    assert "SHKOLA" in page and "Школьная группа" in page and "0 / 30" in page


def test_demo_pages_and_site(loaded):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert site.site_name == "Байкальское турбюро"
    assert home.get_translations().filter(locale__language_code="en").exists()
    assert Page.objects.filter(slug="about", locale__language_code="ru").exists()
    assert Page.objects.filter(slug="about", locale__language_code="en").exists()


@pytest.mark.parametrize(
    "email,groups,superuser",
    [
        ("admin@example.com", set(), True),
        ("teacher@example.com", {"Teachers"}, False),
        ("student1@example.com", {"Students"}, False),
        ("student3@example.com", {"Students"}, False),
        ("tourist@example.com", set(), False),
    ],
)
def test_demo_accounts(loaded, client, email, groups, superuser):
    user = get_user_model().objects.get(email=email)
    assert set(user.groups.values_list("name", flat=True)) == groups
    assert user.is_superuser is superuser
    assert client.login(username=email, password="baikal-demo")


def test_demo_data_is_refused_where_settings_forbid_it(settings):
    before = _counts()
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production never loads demo accounts"):
        call_command("load_demo_data")
    assert _counts() == before


@pytest.mark.yookassa
def test_demo_orders_are_paid_through_both_local_providers_and_wait_for_the_team(
    loaded, client, mailoutbox, django_capture_on_commit_callbacks
):
    from shop.payments import providers

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_orders")
        call_command("load_demo_orders")  # the second run places nothing

    orders = list(Order.objects.order_by("pk"))
    assert len(orders) == 5 and {o.status for o in orders} == {"Paid"}
    # The Russian customers paid by card through YooKassa, the foreign visitor through Stripe.
    providers_used = sorted(o.payment_attempt.provider for o in orders)
    assert providers_used == ["stripe", "yookassa", "yookassa", "yookassa", "yookassa"]
    for order in orders:
        attempt = order.payment_attempt
        remote = providers.get(attempt.provider).retrieve(attempt.provider_payment_id)
        assert remote.state == providers.PaymentState.CAPTURED
        assert remote.amount == order.total_incl_tax
    assert any("your tickets" in m.subject for m in mailoutbox)  # the English guest's
    assert len(mailoutbox) == 5 + 3  # and the ready (2) and shipped (1) news
    student = User.objects.get(email="student1@example.com")
    client.force_login(student)
    queue = client.get("/team/").content.decode()
    # One order is tours only, one is handed over already.
    assert sum(order.number in queue for order in orders) == 3
    page = client.get(f"/team/students/{student.pk}/").content.decode()
    assert "RA123456789RU" in page  # their own work, in their portfolio


def test_demo_periods_and_rubric(loaded):
    from shop.teaching.models import Period, Rubric

    rubric = Rubric.objects.get()
    assert [c.name for c in rubric.criteria.all()][:2] == [
        "Обслуживание покупателей",
        "Аккуратность",
    ]
    assert rubric.max_points == 15
    assert Period.objects.count() == 2
    call_command("load_demo_data")
    assert Rubric.objects.count() == 1 and Period.objects.count() == 2


def test_demo_catalogue_speaks_chinese(loaded):
    """With "zh-hans" active every public product, category, tour and ticket type reads in
    Chinese: the loader stores the fixture's [*.zh-hans] tables under the code of LANGUAGES."""
    import re

    from django.utils import translation

    from shop.bookings.models import TicketType, Tour

    Category = get_model("catalogue", "Category")
    chinese = re.compile(r"[\u4e00-\u9fff]")
    products = Product.objects.filter(is_public=True)
    assert products.filter(structure="child").exists()  # departures take their tour's title
    with translation.override("zh-hans"):
        for product in products:
            assert chinese.search(product.get_title()), product.upc
            assert chinese.search(product.get_description()), product.upc
        for tour in Tour.objects.all():
            assert chinese.search(tour.get_meeting_point()), tour.product.upc
            assert chinese.search(tour.get_what_to_bring()), tour.product.upc
            assert chinese.search(tour.get_cancellation_terms()), tour.product.upc
        for category in Category.objects.all():
            assert chinese.search(category.get_name()), category.slug
        for ticket_type in TicketType.objects.all():
            assert chinese.search(ticket_type.get_name()), ticket_type.code
        assert Product.objects.get(upc="GB-NERPA-1").get_title() == "贝加尔海豹（nerpa）姜饼"
    assert ProductTranslation.objects.filter(language="zh-hans").count() == 7
    with translation.override("en"):
        assert Product.objects.get(upc="TOUR-ASTRAL").get_title() == "Astral places of Baikalsk"
