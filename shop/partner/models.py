from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    """Oscar's stock record, guarded against the dashboard's stock form.

    `num_allocated` changes only through conditional UPDATEs (shop/order/utils.py), so a form
    save never writes it back (which could undo an allocation made meanwhile), stock never
    drops below what is allocated, and a departure's seats and prices are changed on the
    dashboard's Tours pages, which check sold seats and record who changed them.
    """

    def clean(self):
        super().clean()
        if self._state.adding or self.pk is None:
            return
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values("num_in_stock", "num_allocated", "price")
            .first()
        )
        if stored is None:
            return
        from shop.partner.strategy import departure_of

        if departure_of(self.product) is not None and (
            self.num_in_stock != stored["num_in_stock"] or self.price != stored["price"]
        ):
            raise ValidationError(
                _("Change a tour date's seats and prices on the dashboard's Tours pages.")
            )
        allocated = stored["num_allocated"] or 0
        if self.num_in_stock is not None and self.num_in_stock < allocated:
            raise ValidationError(
                {
                    "num_in_stock": _(
                        "%(count)d are already sold and not yet handed over: the stock "
                        "cannot be lower."
                    )
                    % {"count": allocated}
                }
            )

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "num_allocated"
            ]
        super().save(*args, **kwargs)


from oscar.apps.partner.models import *  # noqa: E402, F403
