"""Staff make promo codes in one form of the dashboard; a customer's basket then takes the
code exactly as the form said: what it gives, where, when and how often."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from tests.factories import make_gingerbread, make_staff, make_tour

pytestmark = [pytest.mark.django_db]

Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Range = get_model("offer", "Range")

LIST = "/shop/dashboard/promo-codes/"
NEW = "/shop/dashboard/promo-codes/new/"
BASKET = "/shop/basket/"
VOUCHER_PERMS = ("view_voucher", "add_voucher", "change_voucher")


def make_manager(email="promo@example.com", *codenames):
    user = make_staff(email)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="voucher", codename__in=codenames or VOUCHER_PERMS
        )
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def staff_client():
    """A staff member's browser: CSRF is checked as in production."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_manager())
    return browser


@pytest.fixture
def tour():
    return make_tour(departures=1, capacity=10, fares={"adult": "900", "child": "450"})


@pytest.fixture
def other_tour():
    return make_tour(title="Рассвет на Байкале", departures=1, fares={"adult": "1000"})


@pytest.fixture
def nerpa():
    return make_gingerbread(price="250", stock=20)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def terms(**changes) -> dict:
    now = timezone.now()
    data = {
        "name": "Скидка студентам",
        "code": "student15",
        "kind": "Percentage",
        "value": "15",
        "scope": "all",
        "product": "",
        "starts_at": local(now - dt.timedelta(hours=1)),
        "ends_at": local(now + dt.timedelta(days=30)),
        "usage": Voucher.MULTI_USE,
        "limit": "",
    }
    data.update(changes)
    return data


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def submit(browser, url, data, *, prefix=""):
    page = browser.get(prefix + url)
    assert page.status_code == 200, page
    return browser.post(
        prefix + url, {**data, "csrfmiddlewaretoken": csrf_of(page.content.decode())}
    )


def create(browser, **changes):
    response = submit(browser, NEW, terms(**changes))
    assert response.status_code == 302 and response.url == LIST, response.content.decode()[:3000]
    return Voucher.objects.get(code=changes.get("code", "student15").upper())


def book(shopper, departure, adult=1, child=1):
    from tests.bookings.helpers import book as book_departure

    response = book_departure(
        shopper, departure, adult=adult, child=child, names=["Б"] * (adult + child - 1)
    )
    assert response.status_code == 302, response


def basket_with_code(shopper, code):
    """The code typed on the basket page; the basket as the page then shows it."""
    added = shopper.post("/shop/basket/vouchers/add/", {"code": code})
    assert added.status_code == 302
    page = shopper.get(BASKET)
    return page.context["basket"], " ".join(str(m) for m in page.context["messages"])


# --- Making a code ---------------------------------------------------------------------------


def test_a_code_made_in_the_form_is_one_voucher_with_its_offer_range_and_log_entry(staff_client):
    voucher = create(staff_client)

    offer = voucher.offers.get()
    assert voucher.code == "STUDENT15" and voucher.name == "Скидка студентам"
    assert offer.offer_type == ConditionalOffer.VOUCHER and offer.max_basket_applications == 1
    assert (offer.benefit.type, offer.benefit.value) == ("Percentage", Decimal("15.00"))
    assert offer.benefit.range == offer.condition.range
    assert offer.benefit.range.includes_all_products
    entry = ActivityEntry.objects.get(action="promo_code.created")
    assert entry.actor.email == "promo@example.com" and entry.after["code"] == "STUDENT15"
    listing = staff_client.get(LIST).content.decode()
    assert "STUDENT15" in listing and "Скидка студентам" in listing
    assert "−15 %" in listing and "Действует" in listing


def test_percent_off_all_tours_discounts_the_tour_to_the_kopeck_and_not_the_gingerbread(
    staff_client, client, tour, nerpa
):
    create(staff_client, code="tours15", scope="tours", value="15")
    book(client, tour.tour.departures.get())  # 900 + 450 = 1 350 ₽
    client.post(f"/shop/basket/add/{nerpa.pk}/", {"quantity": 2})  # 500 ₽

    basket, _said = basket_with_code(client, "Tours15")

    # 15 % of 1 350 ₽ is 202,50 ₽; the gingerbread keeps its price.
    assert basket.total_discount == Decimal("202.50")
    assert basket.total_incl_tax == Decimal("1647.50")
    assert "Скидка студентам" in client.get(BASKET).content.decode()


def test_roubles_off_all_gingerbread_applies_to_gingerbread_only(staff_client, client, tour, nerpa):
    create(staff_client, code="NERPA", scope="gingerbread", kind="Absolute", value="120.50")
    client.post(f"/shop/basket/add/{nerpa.pk}/", {"quantity": 3})  # 750 ₽
    book(client, tour.tour.departures.get())

    basket, _html = basket_with_code(client, "nerpa")

    assert basket.total_discount == Decimal("120.50")
    assert basket.total_incl_tax == Decimal("1350.00") + Decimal("750.00") - Decimal("120.50")


def test_a_code_for_one_tour_is_refused_on_another_tour(staff_client, client, tour, other_tour):
    create(staff_client, code="ASTRAL", scope="tour", product=str(tour.pk), value="10")
    book(client, other_tour.tour.departures.get(), adult=1, child=0)

    basket, html = basket_with_code(client, "ASTRAL")

    assert basket.total_discount == 0
    assert "Ваша корзина не удовлетворяет условиям купона" in html


def test_a_code_for_one_tour_discounts_its_dates(staff_client, client, tour):
    create(staff_client, code="ASTRAL", scope="tour", product=str(tour.pk), value="10")
    book(client, tour.tour.departures.get(), adult=1, child=0)

    basket, _html = basket_with_code(client, "astral")

    assert basket.total_incl_tax == Decimal("810.00")


# --- When and how often -----------------------------------------------------------------------


def test_a_code_is_refused_before_it_starts_and_after_it_ends(staff_client, client, tour):
    now = timezone.now()
    later = {
        "starts_at": local(now + dt.timedelta(days=2)),
        "ends_at": local(now + dt.timedelta(days=9)),
    }
    create(staff_client, code="LATER", name="Позже", **later)
    past = {
        "starts_at": local(now - dt.timedelta(days=9)),
        "ends_at": local(now - dt.timedelta(days=2)),
    }
    create(staff_client, code="PAST", name="Прошло", **past)
    book(client, tour.tour.departures.get(), adult=1, child=0)

    basket, said = basket_with_code(client, "LATER")
    assert basket.total_discount == 0 and "'LATER' купон неактивен" in said, said
    basket, said = basket_with_code(client, "past")
    assert basket.total_discount == 0 and "Купон 'PAST' просрочен" in said, said


def test_a_code_switched_off_stops_at_once_even_in_a_basket_that_has_it(staff_client, client, tour):
    voucher = create(staff_client, code="STOPME", value="10")
    book(client, tour.tour.departures.get(), adult=1, child=0)
    basket, _said = basket_with_code(client, "STOPME")
    assert basket.total_incl_tax == Decimal("810.00")

    listing = staff_client.get(LIST).content.decode()
    switched = staff_client.post(
        f"{LIST}{voucher.pk}/end/", {"csrfmiddlewaretoken": csrf_of(listing)}
    )

    assert switched.status_code == 302
    assert client.get(BASKET).context["basket"].total_incl_tax == Decimal("900.00")
    assert "Закончился" in staff_client.get(LIST).content.decode()
    entry = ActivityEntry.objects.get(action="promo_code.ended")
    assert entry.after["code"] == "STOPME" and entry.actor.email == "promo@example.com"


def test_a_once_per_customer_code_asks_a_guest_to_sign_in(staff_client, client, tour):
    create(staff_client, code="ONCE", usage=Voucher.ONCE_PER_CUSTOMER)
    book(client, tour.tour.departures.get(), adult=1, child=0)

    basket, said = basket_with_code(client, "ONCE")

    assert basket.total_discount == 0
    assert "только зарегистрированными" in said, said


@pytest.mark.payments
def test_a_single_use_code_serves_one_order_and_the_list_counts_it(staff_client, client, tour):
    from tests.bookings.helpers import book_and_pay

    create(staff_client, code="ONEOFF", usage=Voucher.SINGLE_USE, value="10")
    departure = tour.tour.departures.get()
    order = book_and_pay(client, departure, adult=1, child=0, names=(), voucher="oneoff")
    assert order.total_incl_tax == Decimal("810.00")

    second = Client()
    book(second, departure, adult=1, child=0)
    basket, said = basket_with_code(second, "ONEOFF")

    assert basket.total_discount == 0 and "Этот купон уже был использован" in said, said
    row = staff_client.get(LIST).content.decode()
    assert "1 / ∞" in row and "Исчерпан" in row


@pytest.mark.payments
def test_a_total_limit_stops_the_code_after_that_many_orders(staff_client, client, tour):
    from tests.bookings.helpers import book_and_pay

    create(staff_client, code="FIRST1", limit="1", value="10")
    departure = tour.tour.departures.get()
    book_and_pay(client, departure, adult=1, child=0, names=(), voucher="FIRST1")

    second = Client()
    book(second, departure, adult=1, child=0)
    basket, said = basket_with_code(second, "FIRST1")

    assert basket.total_discount == 0
    assert "1 / 1" in staff_client.get(LIST).content.decode()


# --- Changing a code --------------------------------------------------------------------------


def test_an_edit_changes_the_discount_and_where_it_applies(staff_client, client, tour, nerpa):
    voucher = create(staff_client, code="EDITME", value="10")
    page = staff_client.get(f"{LIST}{voucher.pk}/").content.decode()
    assert 'value="EDITME"' in page and 'value="10"' in page

    changed = submit(
        staff_client,
        f"{LIST}{voucher.pk}/",
        terms(code="EDITME", scope="gingerbread", kind="Absolute", value="100"),
    )

    assert changed.status_code == 302
    client.post(f"/shop/basket/add/{nerpa.pk}/", {"quantity": 1})
    book(client, tour.tour.departures.get(), adult=1, child=0)
    basket, _said = basket_with_code(client, "editme")
    assert basket.total_incl_tax == Decimal("900.00") + Decimal("150.00")
    assert Voucher.objects.count() == 1 and Range.objects.count() == 1
    entry = ActivityEntry.objects.get(action="promo_code.changed")
    assert (entry.before["value"], entry.after["value"]) == ("10.00", "100.00")


# --- Bad input, doors and GET -----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"code": "STUDENT15"}, "code", "Промокод STUDENT15 уже есть."),
        ({"code": "Student15", "name": "Другое"}, "code", "Промокод STUDENT15 уже есть."),
        ({"code": "NEW1"}, "name", "Другой промокод уже называется «Скидка студентам»."),
        (
            {"code": "NEW2", "name": "Н", "value": "0"},
            "value",
            "Скидка в процентах — от 1 до 100 %.",
        ),
        (
            {"code": "NEW3", "name": "Н", "value": "150"},
            "value",
            "Скидка в процентах — от 1 до 100 %.",
        ),
        ({"code": "NEW4", "name": "Н", "value": "9" * 40}, "value", "12"),
        ({"code": "NEW5", "name": "Н", "limit": "9" * 30}, "limit", "100000"),
        (
            {"code": "NEW6", "name": "Н", "kind": "Absolute", "value": "100001"},
            "value",
            "100 000 ₽",
        ),
        ({"code": "BAD CODE", "name": "Н"}, "code", "только латинские буквы и цифры"),
        ({"code": "ПРОМО", "name": "Н"}, "code", "только латинские буквы и цифры"),
        (
            {
                "code": "NEW7",
                "name": "Н",
                "ends_at": "2026-01-01T00:00",
                "starts_at": "2026-02-01T00:00",
            },
            "ends_at",
            "заканчиваться позже",
        ),
        (
            {"code": "NEW8", "name": "Н", "ends_at": "2150-01-01T00:00"},
            "ends_at",
            "между 2000 и 2099",
        ),
        (
            {"code": "NEW9", "name": "Н", "scope": "tour"},
            "product",
            "Выберите экскурсию или товар.",
        ),
    ],
)
def test_bad_input_is_refused_in_the_pages_language_and_saves_nothing(
    staff_client, changes, field, message
):
    create(staff_client)
    before = (Voucher.objects.count(), ConditionalOffer.objects.count(), Range.objects.count())

    response = submit(staff_client, NEW, terms(**changes))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert (
        Voucher.objects.count(),
        ConditionalOffer.objects.count(),
        Range.objects.count(),
    ) == before


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("/en", "A per cent discount is from 1 to 100 %."),
        ("/zh-hans", "百分比优惠须在 1% 至 100% 之间。"),
    ],
)
def test_the_refusal_speaks_english_and_chinese_too(staff_client, prefix, message):
    response = submit(staff_client, NEW, terms(value="150"), prefix=prefix)

    assert response.status_code == 400 and message in response.content.decode()
    assert not Voucher.objects.exists()


def test_a_code_for_one_tour_must_name_a_tour_not_gingerbread(staff_client, nerpa):
    response = submit(staff_client, NEW, terms(scope="tour", product=str(nerpa.pk)))

    assert response.status_code == 400 and "Выберите экскурсию." in response.content.decode()


def test_customers_students_and_staff_without_the_permission_are_refused(tour, student):
    create_page_data = terms()
    for user in (
        make_staff("customer@example.com", is_staff=False),
        student,
        make_staff("plain-staff@example.com"),
    ):
        browser = Client()
        browser.force_login(user)
        assert browser.get(LIST).status_code == 403
        assert browser.get(NEW).status_code == 403
        assert browser.post(NEW, create_page_data).status_code == 403
    assert Client().get(LIST).status_code == 302  # to the sign-in page
    assert not Voucher.objects.exists()


def test_a_viewer_sees_the_list_without_the_buttons(staff_client):
    create(staff_client)
    viewer = Client()
    viewer.force_login(make_manager("viewer@example.com", "view_voucher"))

    listing = viewer.get(LIST).content.decode()

    assert "STUDENT15" in listing and "Отключить сейчас" not in listing
    assert viewer.get(NEW).status_code == 403


def test_get_changes_nothing(staff_client):
    voucher = create(staff_client)
    ends = voucher.end_datetime

    assert staff_client.get(f"{LIST}{voucher.pk}/end/").status_code == 405
    assert staff_client.get(NEW, terms(code="VIAGET")).status_code == 200
    assert (
        staff_client.get(f"{LIST}{voucher.pk}/", terms(code="VIAGET", value="90")).status_code
        == 200
    )

    voucher.refresh_from_db()
    assert voucher.end_datetime == ends and voucher.code == "STUDENT15"
    assert Voucher.objects.count() == 1 and ActivityEntry.objects.count() == 1


def test_the_promo_codes_page_is_in_the_offers_menu_in_three_languages(staff_client):
    for prefix, label in (("", "Промокоды"), ("/en", "Promo codes"), ("/zh-hans", "优惠码")):
        page = staff_client.get(f"{prefix}{LIST}").content.decode()
        assert f'href="{prefix}{LIST}"' in page and label in page


def test_a_name_an_offer_of_oscars_pages_has_is_refused_not_a_500(staff_client):
    from tests.factories import make_voucher

    make_voucher(code="OLD", amount="5", name="Летняя акция")

    response = submit(staff_client, NEW, terms(code="OLD", name="Новая"))
    assert response.status_code == 400 and "Промокод OLD уже есть." in response.content.decode()
    response = submit(staff_client, NEW, terms(code="NEW", name="Летняя акция"))
    assert response.status_code == 400
    assert Voucher.objects.count() == 1


def test_a_code_named_like_an_existing_range_gets_a_range_of_its_own(staff_client):
    Range.objects.create(name="STUDENT15", includes_all_products=True)

    voucher = create(staff_client)

    assert voucher.offers.get().benefit.range.name == "STUDENT15-2"
    assert Range.objects.get(name="STUDENT15").includes_all_products


# --- Oscar's own voucher and offer pages ------------------------------------------------------


def test_oscars_offer_pages_speak_chinese_not_russian(staff_client):
    create(staff_client)
    admin = Client()
    admin.force_login(make_staff("root@example.com", is_superuser=True))

    offers = admin.get("/zh-hans/shop/dashboard/offers/").content.decode()
    vouchers = admin.get("/zh-hans/shop/dashboard/vouchers/").content.decode()

    assert "全部优惠" in offers and "Все предложения" not in offers
    assert "优惠券特卖" in offers and "<td>Voucher</td>" not in offers
    assert "全部优惠券" in vouchers and "Voucher Search Results" not in vouchers


def test_oscars_voucher_form_shows_the_whole_date_and_time(staff_client):
    voucher = create(staff_client)
    admin = Client()
    admin.force_login(make_staff("root@example.com", is_superuser=True))

    form = admin.get(f"/shop/dashboard/vouchers/update/{voucher.pk}/").content.decode()

    assert re.search(r'<input type="text" name="start_datetime"[^>]*style="min-width: 14em"', form)
    assert "Какие предложения действуют по этому купону?" in form


def test_a_voucher_offer_is_not_suspended_in_oscars_page_but_on_ours(staff_client):
    voucher = create(staff_client)
    admin = Client()
    admin.force_login(make_staff("root@example.com", is_superuser=True))

    page = admin.get(f"/shop/dashboard/offers/{voucher.offers.get().pk}/").content.decode()

    assert 'name="suspend"' not in page
    assert "Отключайте промокод на странице промокодов" in page
