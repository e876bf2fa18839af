"""An amount never wraps away from its currency sign: the money filter joins them (and the
digit groups) with no-break spaces, so pages and e-mails alike keep "1 800 ₽" on one line."""

import re

import pytest

from tests.checkout.helpers import basket_for, make_departure
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

BREAKABLE_BEFORE_SIGN = re.compile(r"\d[ \t\n]+₽")


def test_amounts_keep_their_sign_on_their_line_in_the_e_mail_and_the_pages(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    basket_for(customer, departures=[make_departure(price="1800")])
    client.get("/shop/checkout/shipping-method/")
    payment_page = client.get("/shop/checkout/payment-details/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        pay(client)
    thank_you = client.get("/shop/checkout/thank-you/").content.decode()

    [sent] = mailoutbox
    html_mail, _mimetype = sent.alternatives[0]
    for text in (sent.body, html_mail, payment_page, thank_you):
        assert "1\xa0800\xa0₽" in text
        assert not BREAKABLE_BEFORE_SIGN.search(text)
