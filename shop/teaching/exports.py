"""The report's tables as CSV and XLSX, with the same figures as the screen."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from shop.teaching.reports import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """Text that a spreadsheet would run as a formula (a name or reason typed as "=…") kept
    as text by a leading apostrophe; anything else as it is. Every export uses it (Oscar's
    order CSV too: shop/order/dashboard.py)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value):
    """The value as a spreadsheet holds it: numbers stay numbers, times lose their zone, and
    text is formula-safe."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return formula_safe(value)


def table_rows(table: Table) -> list[list]:
    """Header, rows and total, in the order the screen shows them."""
    rows = [[column.label for column in table.columns]]
    for row in table.rows + ([table.total] if table.total else []):
        rows.append([_cell(row.get(column.key)) for column in table.columns])
    return rows


def csv_response(tables: list[Table], filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([table.title])
        for row in table_rows(table):
            writer.writerow(
                [
                    value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else value
                    for value in row
                ]
            )
    # A byte-order mark, so that spreadsheet programs read the Cyrillic as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(tables: list[Table], filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_title(table.title))
        for index, row in enumerate(table_rows(table)):
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
            if index == 0:
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
        for column_index, column in enumerate(table.columns, start=1):
            letter = sheet.cell(row=1, column=column_index).column_letter
            if column.kind == "money":
                for cell in sheet[letter][1:]:
                    cell.number_format = "#,##0.00"
            if column.kind == "datetime":
                for cell in sheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd hh:mm"
            sheet.column_dimensions[letter].width = max(12, min(40, len(column.label) + 4))
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]
