"""Values kept until a table they read is written (shop/core/table_versions.py): whichever way
the table is written, the next call computes again; a write elsewhere leaves the value kept;
a value computed beside uncommitted writes, or while another connection commits one, is never
served afterwards."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from shop.core.table_versions import kept
from shop.teaching.models import Period


class Counter:
    """A value computed from some groups, counting how often it was computed."""

    def __init__(self):
        self.runs = 0

    def __call__(self):
        self.runs += 1
        return sorted(Group.objects.filter(name__startswith="т:").values_list("name", flat=True))

    def get(self):
        return kept("test-groups", ("parts",), self)


def warmed() -> Counter:
    value = Counter()
    value.get()  # notes the tables it reads
    value.get()  # kept under their versions
    assert value.get() == value.get()
    assert value.runs == 2
    return value


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["save", "update", "delete", "raw SQL"])
def test_any_write_to_a_table_read_makes_the_next_call_compute_again(how):
    Group.objects.create(name="т:гиды")
    value = warmed()
    if how == "save":
        Group.objects.create(name="т:кассиры")
        expected = ["т:гиды", "т:кассиры"]
    elif how == "update":
        Group.objects.filter(name="т:гиды").update(name="т:проводники")
        expected = ["т:проводники"]
    elif how == "delete":
        Group.objects.filter(name="т:гиды").delete()
        expected = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE auth_group SET name = %s WHERE name = %s", ["т:проводники", "т:гиды"]
            )
        expected = ["т:проводники"]
    assert value.get() == expected
    assert value.runs == 3


@pytest.mark.django_db(transaction=True)
def test_a_write_to_another_table_leaves_the_value_kept():
    Group.objects.create(name="т:гиды")
    value = warmed()
    Period.objects.create(name="Весна", starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 6, 30))
    assert value.get() == ["т:гиды"]
    assert value.runs == 2


@pytest.mark.django_db(transaction=True)
def test_other_parts_are_kept_apart():
    Group.objects.create(name="т:гиды")
    assert kept("test-groups", ("ru",), lambda: "русский") == "русский"
    assert kept("test-groups", ("en",), lambda: "English") == "English"


@pytest.mark.django_db(transaction=True)
def test_a_value_computed_beside_uncommitted_writes_is_not_kept():
    Group.objects.create(name="т:гиды")
    value = warmed()
    with transaction.atomic():
        sid = transaction.savepoint()
        Group.objects.create(name="т:черновик")
        assert value.get() == ["т:гиды", "т:черновик"]
        transaction.savepoint_rollback(sid)
        # The draft is gone; what was computed with it was not kept.
        assert value.get() == ["т:гиды"]
    assert value.get() == ["т:гиды"]


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_while_computing_is_seen_next_time():
    Group.objects.create(name="т:гиды")
    value = warmed()
    Group.objects.create(name="т:кассиры")  # the kept value is stale: computed again below
    other = connections.create_connection("default")
    try:

        def computing_while_another_commits():
            before = value()
            with other.cursor() as cursor:  # commits at once (autocommit)
                cursor.execute("DELETE FROM auth_group WHERE name = %s", ["т:кассиры"])
            return before

        assert kept("test-groups", ("parts",), computing_while_another_commits) == [
            "т:гиды",
            "т:кассиры",
        ]
        assert value.get() == ["т:гиды"]
    finally:
        other.close()


@pytest.mark.django_db
def test_in_a_test_transaction_every_call_sees_the_writes_before_it():
    """The tests run in a transaction rolled back at the end: once it wrote, nothing is kept."""
    value = Counter()
    Group.objects.create(name="т:гиды")
    assert value.get() == ["т:гиды"]
    Group.objects.create(name="т:кассиры")
    assert value.get() == ["т:гиды", "т:кассиры"]


@pytest.mark.django_db(transaction=True)
def test_a_value_kept_by_another_release_is_not_served(monkeypatch):
    """What the last release kept, in the shape its code and templates gave it, is not what
    the next one reads."""
    from shop.core import table_versions

    Group.objects.create(name="т:гиды")
    warmed()
    monkeypatch.setattr(table_versions, "code_version", lambda: "the-next-release")
    assert kept("test-groups", ("parts",), lambda: {"names": ["т:гиды"]}) == {"names": ["т:гиды"]}


@pytest.mark.django_db(transaction=True)
def test_each_language_and_time_zone_keeps_its_own_value():
    """Kept HTML shows words and dates: the active language and time zone are always part of
    the key, so no caller can forget them."""
    from django.utils import timezone, translation

    def basket():
        return kept("test-words", (), lambda: translation.gettext("Basket"))

    with translation.override("ru"):
        for _ in range(3):
            assert basket() == "Корзина"
    with translation.override("en"):
        assert basket() == "Cart"
    with translation.override("ru"), timezone.override("Europe/Moscow"):
        for _ in range(3):
            moscow = kept("test-zone", (), lambda: timezone.get_current_timezone_name())
        assert moscow == "Europe/Moscow"
    with translation.override("ru"):
        assert (
            kept("test-zone", (), lambda: timezone.get_current_timezone_name()) != "Europe/Moscow"
        )
