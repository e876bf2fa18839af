"""Signing up asks for consent to the processing of personal data."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.django_db]


def sign_up(client, url, prefix="", **extra):
    name = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    data = {
        name("email"): "new@example.com",
        name("password1"): "Байкал-2026-нерпа",
        name("password2"): "Байкал-2026-нерпа",
        name("redirect_url"): "",
        **{name(k): v for k, v in extra.items()},
    }
    if prefix:
        data["registration_submit"] = "1"
    return client.post(url, data)


@pytest.mark.parametrize(
    ("url", "prefix"),
    [("/shop/accounts/register/", ""), ("/shop/accounts/login/", "registration")],
)
def test_no_account_without_consent(client, site_home, url, prefix):
    page = client.get(url).content.decode()
    assert "обработку моих персональных данных" in page
    refused = sign_up(client, url, prefix)
    assert refused.status_code == 200
    assert "дайте согласие" in refused.content.decode()
    assert not get_user_model().objects.filter(email="new@example.com").exists()

    accepted = sign_up(client, url, prefix, consent="on")
    assert accepted.status_code == 302
    assert get_user_model().objects.filter(email="new@example.com").exists()
