"""The lead participant's phone: Russian numbers written either way, foreign ones, no junk."""

import pytest

from shop.bookings.forms import phone_normalise
from shop.bookings.options import BOOKING_OPTION, line_option
from tests.bookings.test_booking import basket_people, book_url, departure, post_booking, tour

pytestmark = [pytest.mark.django_db]

__all__ = ["departure", "tour"]  # fixtures shared with the booking tests


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+7 914 000-00-00", "+79140000000"),
        ("8 914 000-00-00", "+79140000000"),  # the Russian trunk prefix
        ("8(3952)20-30-40", "+73952203040"),  # a landline in Irkutsk
        ("914 000 00 00", "+79140000000"),  # no code at all: read as Russian
        ("+86 138 0013 8000", "+8613800138000"),  # China
        ("+49 30 901820", "+4930901820"),  # Germany
        ("+1 202-555-0143", "+12025550143"),
    ],
)
def test_russian_and_foreign_numbers_are_accepted_and_kept_in_one_form(typed, kept):
    assert phone_normalise(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["позвоните мне", "12345", "+7 914 000", "+7 000 000 00 00", "+99 123 456 789", "+", "-"],
)
def test_junk_is_not_a_phone_number(typed):
    assert phone_normalise(typed) is None


def test_the_booking_keeps_the_number_in_international_form(client, tour, departure):
    from oscar.core.loading import get_model

    response = post_booking(client, tour, departure, lead_phone="8 (914) 123-45-67")

    assert response.status_code == 302
    line = get_model("basket", "Line").objects.first()
    assert line_option(line, BOOKING_OPTION)["lead_phone"] == "+79141234567"


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Введите номер телефона с кодом"),
        ("/en", "Enter a phone number with its code"),
        ("/zh-hans", "请输入带国家/地区代码的电话号码"),
    ],
)
def test_a_wrong_number_is_refused_in_the_visitors_language(
    client, tour, departure, prefix, message
):
    data = {
        "departure": departure.pk,
        "booking_ref": "c" * 32,
        "tickets_adult": "1",
        "lead_name": "Ivan",
        "lead_phone": "12345",
    }
    response = client.post(prefix + book_url(tour), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert basket_people(client) == 0
