"""Chinese names of the ticket types every tour uses (the site's third language)."""

from django.db import migrations

NAMES = {
    # code: (name, who it is for)
    "adult": ("成人", ""),
    "child": ("儿童", "7至13岁"),
    "student": ("学生", "凭学生证"),
    "group": ("团体成员", "前来参加职业体验参观的中小学及院校团体"),
}


def create(apps, schema_editor):
    TicketType = apps.get_model("bookings", "TicketType")
    TicketTypeTranslation = apps.get_model("bookings", "TicketTypeTranslation")
    for ticket_type in TicketType.objects.filter(code__in=NAMES):
        name, description = NAMES[ticket_type.code]
        TicketTypeTranslation.objects.get_or_create(
            ticket_type=ticket_type,
            language="zh-hans",
            defaults={"name": name, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0004_ticket_type_translation_names")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
