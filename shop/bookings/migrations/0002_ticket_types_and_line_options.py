"""Ticket types every tour uses, and the basket/order line options that carry a booking."""

from django.db import migrations

TICKET_TYPES = [
    # code, position, Russian name and note, English name and note
    ("adult", 10, "Взрослый", "", "Adult", ""),
    ("child", 20, "Детский", "от 7 до 13 лет", "Child", "7 to 13 years old"),
    ("student", 30, "Студенческий", "по студенческому билету", "Student", "with a student card"),
    (
        "group",
        40,
        "Участник группы",
        "школьники и студенты на профориентации",
        "Group member",
        "school and college groups on a career-guidance visit",
    ),
]

LINE_OPTIONS = [
    ("ticket-type", "Тип билета"),
    ("booking", "Бронирование"),
]


def create(apps, schema_editor):
    TicketType = apps.get_model("bookings", "TicketType")
    TicketTypeTranslation = apps.get_model("bookings", "TicketTypeTranslation")
    Option = apps.get_model("catalogue", "Option")
    for code, position, name, note, name_en, note_en in TICKET_TYPES:
        ticket_type, _ = TicketType.objects.get_or_create(
            code=code, defaults={"name": name, "description": note, "position": position}
        )
        TicketTypeTranslation.objects.get_or_create(
            ticket_type=ticket_type,
            language="en",
            defaults={"name": name_en, "description": note_en},
        )
    for code, name in LINE_OPTIONS:
        Option.objects.get_or_create(code=code, defaults={"name": name, "required": False})


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("catalogue", "0033_translations"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
