from django.urls import register_converter


class RowId:
    """A primary key that fits any database's integer column: a longer number is a 404,
    not an overflow error in the query."""

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowId, "rowid")


def row_id(raw) -> int | None:
    """A primary key from a query string or form value, or None when it cannot be one."""
    text = str(raw or "").strip()
    if not text.isdigit() or len(text) > 9:
        return None
    return int(text)
