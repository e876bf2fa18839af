from django import template
from django.utils.translation import get_language, get_language_info, ngettext
from django.utils.translation import gettext as _

register = template.Library()


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    return _("%(minutes)s min") % {"minutes": rest}


@register.simple_tag
def product_facts(product, short=False) -> list[dict]:
    """Facts a visitor compares products by, in the active language.

    Reads `product.attribute_values` so that a prefetched list costs no query per product.
    """
    tour = getattr(product, "tour", None) if product.is_parent else None
    # A tour's facts live on its bookings.Tour row; goods keep theirs as attributes.
    values = (
        {}
        if tour is not None
        else {
            value.attribute.code: value.value
            for value in product.attribute_values.all()
            if value.value is not None
        }
    )
    facts = []
    if tour is not None:
        facts.append({"label": _("Duration"), "value": _duration(tour.duration_minutes)})
        facts.append({"label": _("Difficulty"), "value": tour.get_difficulty_display()})
        if not short:
            facts.append({"label": _("Guided in"), "value": _languages(tour.language_codes)})
            facts.append(
                {
                    "label": _("Group"),
                    "value": _("%(min)s to %(max)s people")
                    % {"min": tour.min_group_size, "max": tour.max_group_size},
                }
            )
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
    return facts


def _languages(codes: list[str]) -> str:
    """ "русский, английский" in Russian, "Russian, English" in English."""
    names = []
    for code in codes:
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    if (get_language() or "").startswith("ru"):
        names = [name.lower() for name in names]
        return ", ".join(names).capitalize()
    return ", ".join(names)
