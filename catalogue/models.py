from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractCategory, AbstractProduct

from catalogue.translation import TranslatedMixin

# No choices on the field: adding a language to settings.LANGUAGES needs no migration.
LANGUAGE_HELP = _("Language code, e.g. en or zh-hans")


class Product(TranslatedMixin, AbstractProduct):
    def get_title(self):
        title = self.translated("title", self.title)
        if not title and self.parent_id:
            title = self.parent.get_title()
        return title

    def get_description(self):
        description = self.translated("description", self.description)
        if not description and self.parent_id:
            description = self.parent.get_description()
        return description

    def get_meta_description(self):
        return self.translated("meta_description", "") or super().get_meta_description()

    @property
    def departure_starts_at(self):
        """Start of a tour departure (a child product with a bookings.Departure row)."""
        if not self.is_child:
            return None
        try:
            return self.departure.starts_at
        except ObjectDoesNotExist:
            return None

    def __str__(self):
        # Basket and order lines describe a product by str(); a departure reads as
        # "Tour title, 28 November 2026, 18:00" in local time and the language's date style
        # ("2026年11月28日 18:00"), not as raw attributes.
        from shop.core.dates import when_text

        title = self.get_title() or self.upc or ""
        starts_at = self.departure_starts_at
        if starts_at:
            return f"{title}, {when_text(starts_at, 'date_time')}"
        return title


class Category(TranslatedMixin, AbstractCategory):
    def get_name(self):
        return self.translated("name", self.name)

    def get_description(self):
        return self.translated("description", self.description)


class ProductTranslation(models.Model):
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("Language"), max_length=10, help_text=LANGUAGE_HELP)
    title = models.CharField(_("Title"), max_length=255, blank=True)
    description = models.TextField(_("Description"), blank=True)
    meta_description = models.TextField(_("Meta description"), blank=True)

    class Meta:
        verbose_name = _("Product translation")
        verbose_name_plural = _("Product translations")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "language"], name="unique_product_translation"
            )
        ]

    def __str__(self):
        return f"{self.product_id} [{self.language}] {self.title}"


class CategoryTranslation(models.Model):
    category = models.ForeignKey(
        "catalogue.Category", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("Language"), max_length=10, help_text=LANGUAGE_HELP)
    name = models.CharField(_("Name"), max_length=255, blank=True)
    description = models.TextField(_("Description"), blank=True)

    class Meta:
        verbose_name = _("Category translation")
        verbose_name_plural = _("Category translations")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "language"], name="unique_category_translation"
            )
        ]

    def __str__(self):
        return f"{self.category_id} [{self.language}] {self.name}"


from oscar.apps.catalogue.models import *  # noqa: E402, F403
