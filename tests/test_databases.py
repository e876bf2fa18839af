"""The test databases themselves (tests/databases.py): a transactional test on PostgreSQL ends
with every table as the migrations left it, whatever the test changed, added or deleted."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.db import connection
from wagtail.models import Locale, Page

from tests.databases import back_to_the_migrated_rows, keeps_the_migrated_rows


@pytest.mark.django_db(transaction=True)
def test_the_migrated_rows_come_back_and_the_tests_rows_go():
    if connection.vendor != "postgresql":
        # SQLite has no copy of them: Django's flush and the rows read back in do it there.
        assert not keeps_the_migrated_rows(connection)
        return
    assert keeps_the_migrated_rows(connection)
    permissions, pages = Permission.objects.count(), Page.objects.count()
    locales = set(Locale.objects.values_list("language_code", flat=True))
    site = Site.objects.get()

    Site.objects.update(domain="changed.example")
    Page.objects.filter(depth__gt=1).delete()
    Permission.objects.all().delete()
    Locale.objects.exclude(pk=Locale.get_default().pk).delete()
    member = get_user_model().objects.create(username="someone", email="someone@example.com")

    back_to_the_migrated_rows(connection)

    assert Site.objects.get().domain == site.domain
    assert (Permission.objects.count(), Page.objects.count()) == (permissions, pages)
    assert set(Locale.objects.values_list("language_code", flat=True)) == locales
    assert not get_user_model().objects.filter(pk=member.pk).exists()
