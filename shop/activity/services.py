from django.db import transaction

from shop.activity.actors import ActorKind, CustomerActor, SystemActor
from shop.activity.kinds import action_kind
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
    """Append one entry; call it inside the transaction that made the change.

    `actor` is a signed-in member of staff (a user), `customer_of(order)` or `system(...)`
    from shop/activity/actors.py; `action` one of the kinds in shop/activity/kinds.py.
    """
    action_kind(action)  # an unknown kind is refused: it would have no label anywhere
    process = ""
    if isinstance(actor, SystemActor):
        kind, user, process = ActorKind.SYSTEM, None, actor.process
    elif isinstance(actor, CustomerActor):
        kind, user = ActorKind.CUSTOMER, actor.user
        if user is None and order is None:
            raise ValueError("A guest customer is known only through the order: give it.")
    elif actor is None or not actor.is_authenticated:
        raise ValueError("Every staff action needs a signed-in actor.")
    else:
        kind, user = ActorKind.STAFF, actor
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Record activity in the same transaction as the change it describes.")
    return ActivityEntry.objects.create(
        actor=user,
        actor_kind=kind,
        process=process,
        action=action,
        order=order,
        line=line,
        departure=departure,
        before=before or {},
        after=after or {},
        note=note,
    )
