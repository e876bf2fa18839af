"""Departures take vouchers and offers as their tour does: they were made not discountable, so
a promo code (a student discount, a school group's code) never applied to a booked seat."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Product = apps.get_model("catalogue", "Product")
    Departure = apps.get_model("bookings", "Departure")
    tour_flag = Product.objects.filter(pk=OuterRef("parent_id")).values("is_discountable")[:1]
    Product.objects.filter(pk__in=Departure.objects.values("product_id")).update(
        is_discountable=Subquery(tour_flag)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0008_booking_changes_and_waiting_list"),
        ("catalogue", "0033_translations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
