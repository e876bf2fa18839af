"""The activity log: a registry of action kinds, and actors who are staff, customers or the
shop itself."""

import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, customer_of, system, system_process
from shop.activity.models import ActivityEntry
from shop.activity.services import activity_record

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
ROOT = Path(__file__).resolve().parents[2]


def make_order(user=None, number="900001"):
    return Order.objects.create(
        number=number,
        currency="RUB",
        total_incl_tax=250,
        total_excl_tax=250,
        shipping_incl_tax=0,
        shipping_excl_tax=0,
        user=user,
        guest_email="" if user else "guest.person@example.com",
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="olga", email="olga@example.com", password="pw-123456", first_name="Ольга"
    )


def record(**kwargs):
    with transaction.atomic():
        return activity_record(**kwargs)


def test_an_unknown_kind_is_refused(staff):
    with pytest.raises(kinds.UnknownAction):
        record(actor=staff, action="order.teleported")
    assert not ActivityEntry.objects.exists()


def _kinds_used_in_the_code() -> set[str]:
    used = set()
    for path in [*ROOT.glob("shop/**/*.py"), *ROOT.glob("bench/*.py")]:
        if "migrations" in path.parts or path.name == "kinds.py":
            continue
        text = path.read_text()
        names = re.findall(r"\bkinds\.([A-Z_]+)\b", text)
        used |= {getattr(kinds, name) for name in names if isinstance(getattr(kinds, name), str)}
        # A kind written as a string instead of the constant is found too.
        used |= set(re.findall(r"action=\"([a-z_]+\.[a-z_]+)\"", text))
    return used


def test_every_kind_the_code_records_has_a_label_in_russian_english_and_chinese():
    used = _kinds_used_in_the_code()
    assert {"order.placed", "order.step", "departure.created", "tour.updated"} <= used
    assert used <= set(kinds.ACTIONS)
    entry = ActivityEntry(before={"stage": "packed"}, after={"stage": "ready", "amount": "900"})
    for code in used:
        entry.action = code
        with translation.override("en"):
            english = (entry.label, entry.phrase)
        assert all(english) and english[1] != code
        for language in ("ru", "zh-hans"):
            with translation.override(language):
                translated = (entry.label, entry.phrase)
            assert translated[0] != english[0], (language, code, english[0])
            assert translated[1] != english[1], (language, code, english[1])


def test_a_member_of_staff_is_named_and_must_be_signed_in(staff):
    from django.contrib.auth.models import AnonymousUser

    entry = record(actor=staff, action=kinds.TOUR_UPDATED)
    assert (entry.actor, entry.actor_kind, entry.actor_label) == (staff, "staff", "Ольга")
    with pytest.raises(ValueError):
        record(actor=AnonymousUser(), action=kinds.TOUR_UPDATED)
    with pytest.raises(ValueError):
        record(actor=None, action=kinds.TOUR_UPDATED)


def test_a_guest_customer_is_known_through_the_order_and_nothing_personal_is_copied():
    order = make_order()

    entry = record(actor=customer_of(order), action=kinds.ORDER_CANCELLED, order=order)

    entry.refresh_from_db()
    assert (entry.actor, entry.actor_kind, entry.order) == (None, "customer", order)
    copied = f"{entry.before}{entry.after}{entry.note}{entry.process}"
    assert "guest.person" not in copied
    with translation.override("ru"):
        assert entry.actor_label == "Покупатель без учётной записи"
        assert entry.phrase == "отменил(а) заказ"
    with pytest.raises(ValueError):  # a guest with no order would be nobody
        record(actor=customer_of(order), action=kinds.ORDER_CANCELLED)


def test_a_signed_in_customer_is_named_as_a_customer_not_as_staff(staff):
    order = make_order(user=staff)

    entry = record(actor=customer_of(order), action=kinds.ORDER_CANCELLED, order=order)

    assert (entry.actor, entry.actor_kind) == (staff, "customer")
    assert not ActivityEntry.objects.by_staff().exists()
    with translation.override("en"):
        assert entry.actor_label == "Customer"


def test_the_system_names_the_process_that_acted():
    order = make_order()
    with system_process(SystemProcess.RECONCILIATION):
        entry = record(
            actor=system(), action=kinds.ORDER_PAID, order=order, after={"amount": "250"}
        )
    plain = record(actor=system(), action=kinds.ORDER_PLACED, order=order)

    assert (entry.actor, entry.process, plain.process) == (None, "reconciliation", "checkout")
    with translation.override("ru"):
        assert entry.actor_label == "Автоматически · сверка платежей"
        assert plain.actor_label == "Автоматически · оформление заказа"
    with translation.override("zh-hans"):
        assert entry.actor_label != "Automatically · payment reconciliation"
    with pytest.raises(ValueError):
        system("coffee machine")


def test_the_database_refuses_an_entry_that_names_nobody_or_hides_a_user(staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityEntry.objects.create(actor=None, actor_kind="staff", action=kinds.TOUR_UPDATED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityEntry.objects.create(
            actor=staff, actor_kind="system", process="checkout", action=kinds.ORDER_PAID
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityEntry.objects.create(actor=None, actor_kind="customer", action=kinds.ORDER_PAID)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_existing_entry_as_the_staff_members_work(staff):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("activity", "0002_initial")], [("activity", "0003_actors_not_staff")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("activity", "ActivityEntry")
    old.objects.create(actor_id=staff.pk, action="order.claimed", note="взял(а)")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    entry = ActivityEntry.objects.get()
    assert (entry.actor, entry.actor_kind, entry.process, entry.note) == (
        staff,
        "staff",
        "",
        "взял(а)",
    )
