from django.db import transaction

from shop.activity.models import ActivityEntry


def activity_record(
    *,
    actor,
    action: str,
    order=None,
    line=None,
    departure=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> ActivityEntry:
    """Append one entry; call it inside the transaction that made the change."""
    if actor is None or not actor.is_authenticated:
        raise ValueError("Every staff action needs a signed-in actor.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Record activity in the same transaction as the change it describes.")
    return ActivityEntry.objects.create(
        actor=actor,
        action=action,
        order=order,
        line=line,
        departure=departure,
        before=before or {},
        after=after or {},
        note=note,
    )
