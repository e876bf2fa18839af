"""The staff's pages work under the Content-Security-Policy too: Wagtail's admin (the page
editor with its rich text, the image library) and Oscar's dashboard (the product form with its
editor, orders, tours) load in Chromium without a single violation or script error, and the
tourist's pages the same (the `page` fixture fails a test on either)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def superuser_page(page, live_server, django_user_model):
    admin = django_user_model.objects.create_superuser(
        username="root", email="root@example.com", password="x"
    )
    client = Client()
    client.force_login(admin)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_wagtail_admin_and_oscar_dashboard_work_under_the_policy(superuser_page, storefront):
    from wagtail.models import Page

    page = superuser_page
    home = Page.objects.get(depth=2)
    product = storefront.box
    for url, landmark in [
        ("/cms/", "main"),
        (f"/cms/pages/{home.pk}/", "main"),
        (f"/cms/pages/{home.pk}/edit/", "form"),
        ("/cms/images/", "main"),
        ("/cms/settings/cms/navigationsettings/", "form"),
        ("/shop/dashboard/", "body"),
        ("/shop/dashboard/orders/", "body"),
        ("/shop/dashboard/catalogue/", "body"),
        (f"/shop/dashboard/catalogue/products/{product.pk}/", "form"),
        ("/shop/dashboard/tours/", "body"),
        ("/shop/dashboard/lockouts/", "body"),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        expect(page.locator(landmark).first).to_be_visible()
    page.screenshot(path="/tmp/e2e-csp-dashboard-product.png", full_page=True)


def test_the_tourists_pages_work_under_the_policy(page, storefront):
    for url in ("/", storefront.tour.get_absolute_url(), "/shop/catalogue/", "/shop/basket/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        expect(page.locator("main")).to_be_visible()
