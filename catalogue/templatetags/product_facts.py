from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    return _("%(minutes)s min") % {"minutes": rest}


@register.simple_tag
def product_facts(product) -> list[dict]:
    """Facts a visitor compares products by, in the active language.

    Reads `product.attribute_values` so that a prefetched list costs no query per product.
    """
    values = {
        value.attribute.code: value.value
        for value in product.attribute_values.all()
        if value.value is not None
    }
    facts = []
    if "duration_minutes" in values:
        facts.append({"label": _("Duration"), "value": _duration(values["duration_minutes"])})
    if "weight_grams" in values:
        facts.append(
            {"label": _("Weight"), "value": _("%(grams)s g") % {"grams": values["weight_grams"]}}
        )
    if "shelf_life_days" in values:
        days = values["shelf_life_days"]
        facts.append(
            {
                "label": _("Shelf life"),
                "value": ngettext("%(count)s day", "%(count)s days", days) % {"count": days},
            }
        )
    if "starts_at" in values:
        facts.append(
            {
                "label": _("Starts"),
                "value": formats.date_format(
                    timezone.localtime(values["starts_at"]), "DATETIME_FORMAT"
                ),
            }
        )
    return facts
