"""Order placement that cannot oversell.

Oscar checks availability when the customer reaches checkout and later adds the quantity to
`num_allocated` without looking at `num_in_stock`, so two customers can both buy the last seat.
Here the check and the allocation are one conditional UPDATE inside the order's transaction:
the row is changed only while enough remain, and when it is not changed the whole order rolls
back. PostgreSQL re-evaluates the condition on the latest row version under the row lock;
SQLite runs write transactions one at a time (IMMEDIATE), so it holds on both.
"""

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.apps.order.utils import *  # noqa: F403
from oscar.apps.order.utils import OrderCreator as OscarOrderCreator
from oscar.core.loading import get_model

from shop.core.freshness import stockrecords_changed
from shop.order.exceptions import DepartureNotBookable, NotEnoughStock
from shop.partner.strategy import departure_of

StockRecord = get_model("partner", "StockRecord")


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
    """Give back `quantity` allocated units (never below zero); True when released."""
    allocated = Coalesce(F("num_allocated"), Value(0))
    changed = (
        StockRecord.objects.filter(pk=stockrecord_id)
        .alias(held=allocated)
        .filter(held__gte=quantity)
        .update(num_allocated=allocated - quantity)
    )
    if changed:
        stockrecords_changed(stockrecord_id)
    return changed == 1


class OrderCreator(OscarOrderCreator):
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
        if is_departure:
            self._check_departure_open(product)
        if not stock_allocate(line.stockrecord_id, line.quantity):
            record = StockRecord.objects.get(pk=line.stockrecord_id)
            raise NotEnoughStock(product, line.quantity, record.net_stock_level, seats=is_departure)

    def _check_departure_open(self, product):
        from shop.bookings.models import Departure

        # Locks the departure row on PostgreSQL, so staff closing or cancelling it waits
        # for this order (and the other way round).
        departure = Departure.objects.select_for_update().select_related("tour").get(pk=product.pk)
        reason = departure.closed_reason(timezone.now())
        if reason:
            raise DepartureNotBookable(product, reason)
