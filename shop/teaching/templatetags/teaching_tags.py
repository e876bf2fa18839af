from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cell(row, column):
    """A report cell as the screen shows it (the exports keep the raw number)."""
    value = row.get(column.key) if row else None
    if value is None or value == "":
        return "—"
    if column.kind == "money":
        return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} ₽"
    if column.kind == "percent":
        return f"{number_format(value, 1, use_l10n=True)} %"
    if column.kind == "hours":
        return _("%(hours)s h") % {"hours": number_format(value, 1, use_l10n=True)}
    if column.kind == "int":
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    if column.kind == "datetime":
        return date_format(timezone.localtime(value), "j E Y, H:i")
    return value


@register.simple_tag
def export_url(query, kind, table=""):
    from urllib.parse import urlencode

    from django.http import QueryDict

    params = QueryDict(query, mutable=True)
    params["export"] = kind
    if table:
        params["table"] = table
    else:
        params.pop("table", None)
    return "?" + urlencode(sorted(params.items()))
