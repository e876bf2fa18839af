"""Staff pages are the workspace's own: no shop basket, search or footer; teachers' pages use
a desktop's width."""

import pytest

pytestmark = [pytest.mark.django_db]


def test_teachers_pages_are_wide_and_without_the_shops_chrome(client, teacher):
    client.force_login(teacher)

    for path in ("/team/reports/", "/team/students/", "/team/rubrics/"):
        html = client.get(path).content.decode()
        assert "team-page--wide" in html, path
        assert "staff-header" in html and "site-footer" not in html, path
        assert "/shop/basket/" not in html, path


def test_the_students_workspace_keeps_its_phone_column(client, student):
    client.force_login(student)

    html = client.get("/team/tours/").content.decode()

    assert "team-page--wide" not in html and "staff-header" in html
