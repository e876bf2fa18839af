"""Russia as the shipping country: the post delivers within Russia only.

Oscar's country table starts empty (`oscar_populate_countries` is not run here), and a parcel
address needs its country row. Existing rows are left as they are, except that Russia is
marked as a shipping country.
"""

from django.db import migrations


def create_russia(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    country, created = Country.objects.get_or_create(
        iso_3166_1_a2="RU",
        defaults={
            "iso_3166_1_a3": "RUS",
            "iso_3166_1_numeric": "643",
            "printable_name": "Россия",
            "name": "Российская Федерация",
            "display_order": 1,
            "is_shipping_country": True,
        },
    )
    if not created and not country.is_shipping_country:
        country.is_shipping_country = True
        country.save(update_fields=["is_shipping_country"])


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0003_auto_20181115_1953"),
        ("address", "0007_useraddress_code"),
    ]

    operations = [migrations.RunPython(create_russia, migrations.RunPython.noop)]
