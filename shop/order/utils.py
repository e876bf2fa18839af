"""Order placement that cannot oversell.

Oscar checks availability when the customer reaches checkout and later adds the quantity to
`num_allocated` without looking at `num_in_stock`, so two customers can both buy the last seat.
Here the check and the allocation are one conditional UPDATE inside the order's transaction:
the row is changed only while enough remain, and when it is not changed the whole order rolls
back. PostgreSQL re-evaluates the condition on the latest row version under the row lock;
SQLite runs write transactions one at a time (IMMEDIATE), so it holds on both.

Promo codes are claimed the same way: Oscar checks a code's and an offer's limits when the
basket is priced and then raises its counters from the copies it read, so two orders placed at
once could both take a code's last use. Here the basket's vouchers and offers are locked (in id
order, before the stock) and their limits checked again on the rows as they are now; the
counters then rise from those rows (`PromoCodeUsedUp` otherwise, and nothing is placed).

Seats held for a departure's waiting list are allocated the same way (shop/bookings/waitlist.py).
A booking made through the hold's link takes the held seats instead of allocating them again:
`OrderCreator` counts the booking's people against the hold (its row locked), allocates only
what goes beyond it, and gives back what the booking did not use.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.apps.order.utils import *  # noqa: F403
from oscar.apps.order.utils import OrderCreator as OscarOrderCreator
from oscar.core.loading import get_model

from shop.bookings.options import BOOKING_OPTION, line_option
from shop.core.freshness import stockrecords_changed
from shop.order.exceptions import DepartureNotBookable, NotEnoughStock, PromoCodeUsedUp
from shop.partner.strategy import departure_of

StockRecord = get_model("partner", "StockRecord")
ConditionalOffer = get_model("offer", "ConditionalOffer")


def stock_allocate(stockrecord_id: int, quantity: int) -> bool:
    """Allocate `quantity` only if that many are still free; True when allocated."""
    allocated = Coalesce(F("num_allocated"), Value(0))
    changed = (
        StockRecord.objects.filter(pk=stockrecord_id)
        .alias(free=F("num_in_stock") - allocated)
        .filter(free__gte=quantity)
        .update(num_allocated=allocated + quantity)
    )
    if changed:
        stockrecords_changed(stockrecord_id)
    return changed == 1


def stock_release(stockrecord_id: int, quantity: int) -> bool:
    """Give back `quantity` allocated units (never below zero); True when released. Freed
    seats are offered to the departure's waiting list once the transaction commits."""
    from shop.bookings.waitlist import seats_came_back

    allocated = Coalesce(F("num_allocated"), Value(0))
    changed = (
        StockRecord.objects.filter(pk=stockrecord_id)
        .alias(held=allocated)
        .filter(held__gte=quantity)
        .update(num_allocated=allocated - quantity)
    )
    if changed:
        stockrecords_changed(stockrecord_id)
        seats_came_back(stockrecord_id)
    return changed == 1


class OrderCreator(OscarOrderCreator):
    def place_order(self, basket, *args, **kwargs):
        # Seats still to be taken from each waiting-list hold used by this order.
        self._holds = {}
        with transaction.atomic():
            self._claim_offers(basket, kwargs.get("user"))
            order = super().place_order(basket, *args, **kwargs)
            self._finish_holds(order)
        return order

    def _claim_offers(self, basket, user) -> None:
        """Lock the basket's codes and the offers it applies, and check their limits on the
        rows as they are now (see the module's note). A code that gives this basket nothing
        is dropped, as Oscar drops an inactive one."""
        applied = {a["offer"].pk: a for a in basket.offer_applications}
        for voucher in basket.vouchers.select_for_update().order_by("pk"):
            available, _message = voucher.is_available_to_user(user=user)
            if available or not voucher.is_active():
                continue
            if any(offer_id in applied for offer_id in voucher.offers.values_list("pk", flat=True)):
                raise PromoCodeUsedUp(voucher.code)
            basket.vouchers.remove(voucher)
        locked = ConditionalOffer.objects.select_for_update().filter(pk__in=applied).order_by("pk")
        for row in locked:
            application = applied[row.pk]
            offer = application["offer"]
            # Oscar raises the counters of this copy and saves it: from the locked row's values.
            for field in ("num_applications", "num_orders", "total_discount", "status"):
                setattr(offer, field, getattr(row, field))
            limit = offer.max_global_applications
            if limit and offer.num_applications + application["freq"] > limit:
                voucher = application.get("voucher")
                raise PromoCodeUsedUp(voucher.code if voucher else offer.name)

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        extra_line_fields = dict(extra_line_fields or {})
        if departure_of(basket_line.product) is not None:
            # The line keeps the departure's date and time, not only the tour's title.
            extra_line_fields.setdefault("title", str(basket_line.product))
        return super().create_line_models(order, basket_line, extra_line_fields)

    def update_stock_records(self, line):
        product = line.product
        # Seats are always counted, whatever the tour product class says about stock.
        is_departure = departure_of(product) is not None
        if not is_departure and not product.get_product_class().track_stock:
            return
        quantity = line.quantity
        if is_departure:
            self._check_departure_open(product)
            quantity -= self._take_held(line)
        if quantity and not stock_allocate(line.stockrecord_id, quantity):
            record = StockRecord.objects.get(pk=line.stockrecord_id)
            raise NotEnoughStock(product, quantity, record.net_stock_level, seats=is_departure)

    def _take_held(self, line) -> int:
        """How many of the line's seats a waiting-list hold already holds for this basket."""
        from shop.bookings.models import WaitingListEntry, WaitStatus

        hold_id = (line_option(line, BOOKING_OPTION) or {}).get("hold")
        if not hold_id:
            return 0
        if hold_id not in self._holds:
            entry = (
                WaitingListEntry.objects.select_for_update()
                .filter(
                    pk=hold_id,
                    departure_id=line.product_id,
                    basket_id=line.basket_id,
                    status=WaitStatus.OFFERED,
                )
                .first()
            )
            if entry is None:
                return 0
            if entry.hold_expires_at <= timezone.now():
                # Run out but not yet released: released now, and the line allocates anew
                # (the seats are still free: nobody else has been offered them yet).
                from shop.bookings.waitlist import waitlist_hold_lapse

                waitlist_hold_lapse(entry)
                return 0
            self._holds[hold_id] = [entry, entry.people]
        held = self._holds[hold_id]
        taken = min(held[1], line.quantity)
        held[1] -= taken
        return taken

    def _finish_holds(self, order) -> None:
        """The holds this order used are booked; seats they held beyond it go back."""
        from shop.activity import kinds
        from shop.activity.actors import SystemProcess, system
        from shop.activity.services import activity_record
        from shop.bookings.models import WaitStatus

        for entry, unused in self._holds.values():
            if unused:
                record = StockRecord.objects.get(product_id=entry.departure_id)
                stock_release(record.pk, unused)
            entry.status = WaitStatus.BOOKED
            entry.order = order
            entry.ended_at = timezone.now()
            entry.save(update_fields=["status", "order", "ended_at"])
            activity_record(
                actor=system(SystemProcess.WAITING_LIST),
                action=kinds.WAITLIST_BOOKED,
                order=order,
                departure=entry.departure,
                after={"entry": entry.pk, "people": entry.people - unused},
            )

    def _check_departure_open(self, product):
        from shop.bookings.models import Departure

        # Locks the departure row on PostgreSQL, so staff closing or cancelling it waits
        # for this order (and the other way round).
        departure = Departure.objects.select_for_update().select_related("tour").get(pk=product.pk)
        reason = departure.closed_reason(timezone.now())
        if reason:
            raise DepartureNotBookable(product, reason)
