"""A departure's stock record price becomes its full fare (an adult's) instead of its cheapest
paid one, as shop/bookings/pricing.py now decides for new and edited departures: the tour's
price, Oscar's sorting by price and the schema.org offers then agree with the pages."""

from django.db import migrations
from django.db.models import Exists, Max, OuterRef, Subquery


def forwards(apps, schema_editor):
    Fare = apps.get_model("bookings", "Fare")
    StockRecord = apps.get_model("partner", "StockRecord")
    full = (
        Fare.objects.filter(departure_id=OuterRef("product_id"))
        .values("departure_id")
        .annotate(price=Max("price"))
        .values("price")
    )
    StockRecord.objects.filter(Exists(full)).update(price=Subquery(full))


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_ticket_type_names_in_chinese"),
        ("partner", "0007_partneraddress_code"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
