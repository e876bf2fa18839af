"""Checks of what a shop sends: amounts, metadata and 54-FZ receipts.

Each check raises YooKassa's `invalid_request` with the `parameter` that is wrong (a dotted
path with list indexes, e.g. `receipt.items[1].vat_code`), and returns the value normalised
the way the API echoes it. The receipt rules are those a shop is likely to get wrong: items
present, the sum of items equal to the amount to the kopeck, a customer e-mail or phone, and
known codes (https://yookassa.ru/developers/payment-acceptance/receipts/54fz/other-services/
parameters-values). The server is stricter than YooKassa in one place: `payment_subject` and
`payment_mode` are required, because their defaults (commodity, full prepayment) are wrong
for a tour paid in advance, and code that passes here passes there.
"""

import re
from decimal import Decimal, InvalidOperation

from .errors import invalid

CURRENCIES = {"RUB"}  # the test shop takes roubles only

VAT_CODES = set(range(1, 13))  # 1 no VAT … 6 20/120, 7–10 5 % and 7 %, 11 22 %, 12 22/122
TAX_SYSTEM_CODES = set(range(1, 7))
PAYMENT_MODES = {
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
}
PAYMENT_SUBJECTS = {
    "commodity",
    "excise",
    "job",
    "service",
    "gambling_bet",
    "gambling_prize",
    "lottery",
    "lottery_prize",
    "intellectual_activity",
    "payment",
    "agent_commission",
    "property_right",
    "non_operating_gain",
    "insurance_premium",
    "sales_tax",
    "resort_fee",
    "composite",
    "another",
    "fine",
    "tax",
    "lien",
    "cost",
    "pension_insurance_without_payouts",
    "pension_insurance_with_payouts",
    "health_insurance_without_payouts",
    "health_insurance_with_payouts",
    "health_insurance",
    "casino",
    "agent_withdrawals",
    "non_marked_excise",
    "marked_excise",
    "marked",
    "non_marked",
}
SETTLEMENT_TYPES = {"cashless", "prepayment", "postpayment", "consideration"}
MAX_ITEMS = 100
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?\d{11,15}$")  # ITU-T E.164, e.g. 79000000000


def decimal(value, parameter: str, *, places: int, positive: bool = True) -> Decimal:
    """A number sent as a string ("1350.00", as the docs and the SDK send it) or a JSON
    number, with at most `places` decimal places."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(f"{parameter} must be a number", parameter)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid(f"{parameter} must be a number", parameter) from None
    if not number.is_finite():
        raise invalid(f"{parameter} must be a number", parameter)
    # Trailing zeros are fine ("2.000" is 2), more significant places are not.
    if number.normalize().as_tuple().exponent < -places:
        raise invalid(f"{parameter} has more than {places} decimal places", parameter)
    if number.adjusted() > 12:
        raise invalid(f"{parameter} is too large", parameter)
    if number < 0 or (positive and number == 0):
        raise invalid(f"{parameter} must be greater than 0", parameter)
    return number


def amount(data, parameter: str = "amount", *, positive: bool = True) -> tuple[Decimal, str]:
    if not isinstance(data, dict):
        raise invalid(f"{parameter} is missing: send an object with value and currency", parameter)
    value = decimal(data.get("value"), f"{parameter}.value", places=2, positive=positive)
    currency = data.get("currency")
    if currency not in CURRENCIES:
        raise invalid(
            f"{parameter}.currency must be one of {', '.join(sorted(CURRENCIES))}",
            f"{parameter}.currency",
        )
    return value, currency


def money(value: Decimal, currency: str) -> dict:
    return {"value": f"{value:.2f}", "currency": currency}


def text(value, parameter: str, *, max_length: int, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise invalid(f"{parameter} is missing", parameter)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{parameter} must be a non-empty string", parameter)
    if len(value) > max_length:
        raise invalid(f"{parameter} is longer than {max_length} characters", parameter)
    return value


def metadata(value) -> dict:
    """Up to 16 keys of up to 32 characters, values up to 512 characters; echoed as strings."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("metadata must be an object of key-value pairs", "metadata")
    if len(value) > 16:
        raise invalid("metadata has more than 16 keys", "metadata")
    result = {}
    for key, item in value.items():
        if len(key) > 32:
            raise invalid("metadata keys are at most 32 characters", f"metadata.{key}")
        if item is None or isinstance(item, dict | list):
            raise invalid("metadata values must be strings", f"metadata.{key}")
        item = str(item).lower() if isinstance(item, bool) else str(item)
        if len(item) > 512:
            raise invalid("metadata values are at most 512 characters", f"metadata.{key}")
        result[key] = item
    return result


def _customer(data: dict, where: str) -> dict:
    customer = data.get("customer")
    if customer is not None and not isinstance(customer, dict):
        raise invalid("customer must be an object", f"{where}customer")
    customer = dict(customer or {})
    # The legacy top-level receipt.email / receipt.phone (the SDK still sends receipt.email).
    for field in ("email", "phone"):
        if not customer.get(field) and data.get(field):
            customer[field] = data[field]
    email, phone = customer.get("email"), customer.get("phone")
    if not email and not phone:
        raise invalid(
            "Receipt is missing or illegal: send the customer's email or phone",
            f"{where}customer",
        )
    if email and (not isinstance(email, str) or not EMAIL.match(email)):
        raise invalid("Invalid email", f"{where}customer.email")
    if phone and (not isinstance(phone, str) or not PHONE.match(phone)):
        raise invalid(
            "Invalid phone: digits only, in ITU-T E.164 format (79000000000)",
            f"{where}customer.phone",
        )
    return {
        key: customer[key] for key in ("full_name", "inn", "email", "phone") if customer.get(key)
    }


def _item(item, parameter: str, currency: str | None) -> tuple[dict, Decimal]:
    if not isinstance(item, dict):
        raise invalid(f"{parameter} must be an object", parameter)
    description = text(
        item.get("description"), f"{parameter}.description", max_length=128, required=True
    )
    quantity = decimal(item.get("quantity"), f"{parameter}.quantity", places=3)
    price, item_currency = amount(item.get("amount"), f"{parameter}.amount", positive=False)
    if currency and item_currency != currency:
        raise invalid(
            "Receipt items must be in the payment's currency", f"{parameter}.amount.currency"
        )
    vat_code = item.get("vat_code")
    if isinstance(vat_code, str) and vat_code.isdigit():
        vat_code = int(vat_code)
    if isinstance(vat_code, bool) or vat_code not in VAT_CODES:
        raise invalid("vat_code must be a VAT code from 1 to 12", f"{parameter}.vat_code")
    normalised = {
        "description": description,
        "quantity": int(quantity) if quantity == quantity.to_integral_value() else float(quantity),
        "amount": money(price, item_currency),
        "vat_code": vat_code,
    }
    for field, known in (("payment_subject", PAYMENT_SUBJECTS), ("payment_mode", PAYMENT_MODES)):
        value = item.get(field)
        if value not in known:
            raise invalid(
                f"{field} is missing or unknown (see the 54-FZ parameter values)",
                f"{parameter}.{field}",
            )
        normalised[field] = value
    if item.get("measure") is not None:
        normalised["measure"] = item["measure"]
    return normalised, price * quantity


def receipt(
    data,
    parameter: str,
    *,
    total: Decimal | None = None,
    currency: str | None = None,
) -> dict:
    """A receipt as sent inside a payment, capture or refund (`parameter` = "receipt") or as
    the body of POST /v3/receipts (`parameter` = ""). With `total`, the items must add up to
    it exactly; the result is the receipt normalised, with the customer kept separately."""
    where = f"{parameter}." if parameter else ""
    if not isinstance(data, dict):
        raise invalid("Receipt is missing or illegal", parameter or None)
    customer = _customer(data, where)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise invalid("Receipt is missing or illegal: items are empty", f"{where}items")
    if len(items) > MAX_ITEMS:
        raise invalid(f"A receipt holds at most {MAX_ITEMS} items", f"{where}items")
    normalised_items, items_total = [], Decimal(0)
    for index, item in enumerate(items):
        normalised, line_total = _item(item, f"{where}items[{index}]", currency)
        normalised_items.append(normalised)
        items_total += line_total
    result = {"customer": customer, "items": normalised_items}
    tax_system_code = data.get("tax_system_code")
    if tax_system_code is not None:
        if isinstance(tax_system_code, bool) or tax_system_code not in TAX_SYSTEM_CODES:
            raise invalid("tax_system_code must be from 1 to 6", f"{where}tax_system_code")
        result["tax_system_code"] = tax_system_code
    if data.get("internet") is not None:
        result["internet"] = bool(data["internet"])
    if total is not None and items_total != total:
        raise invalid(
            f"The sum of the receipt items ({items_total:.2f}) is not equal to the amount "
            f"({total:.2f})",
            f"{where}items",
        )
    return result


def settlements(data) -> tuple[list[dict], Decimal]:
    if not isinstance(data, list) or not data:
        raise invalid("settlements are missing", "settlements")
    result, total = [], Decimal(0)
    for index, settlement in enumerate(data):
        parameter = f"settlements[{index}]"
        if not isinstance(settlement, dict) or settlement.get("type") not in SETTLEMENT_TYPES:
            raise invalid(
                f"{parameter}.type must be one of {', '.join(sorted(SETTLEMENT_TYPES))}",
                f"{parameter}.type",
            )
        value, currency = amount(settlement.get("amount"), f"{parameter}.amount")
        result.append({"type": settlement["type"], "amount": money(value, currency)})
        total += value
    return result, total
