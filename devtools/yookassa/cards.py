"""YooKassa's documented test cards and what each does on the confirmation page.

From https://yookassa.ru/developers/payment-acceptance/testing-and-going-live/testing: any
future expiry date, any CVC and any 3-D Secure code. A card either succeeds (some after a
3-D Secure step) or makes the payment `canceled` with the `cancellation_details` YooKassa
gives it. Cards that are not test cards are refused by the form, as a test shop refuses
real cards.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str  # card_type as the API reports it
    three_d_secure: bool = False
    party: str | None = None  # a declined card: who declined it…
    reason: str | None = None  # …and why


SUCCEEDING = [
    TestCard("5555555555554477", "MasterCard", three_d_secure=True),
    TestCard("5555555555554444", "MasterCard"),
    TestCard("4793128161644804", "Visa", three_d_secure=True),
    TestCard("4111111111111111", "Visa"),
    TestCard("2200000000000004", "MIR", three_d_secure=True),
    TestCard("2202474301322987", "MIR"),
    TestCard("6759649826438453", "Maestro"),
    TestCard("4175001000000017", "Visa"),
    TestCard("370000000000002", "AmericanExpress"),
    TestCard("3528000700000000", "JCB"),
    TestCard("36700102000000", "DinersClub"),
]

_DECLINES = {
    # reason: (Mastercard, Visa, Mir), declined by the payment network
    "3d_secure_failed": ("5555555555554592", "4839665499603842", "2200000000000012"),
    "call_issuer": ("5555555555554535", "4926946416239025", "2200000000000020"),
    "card_expired": ("5555555555554543", "4141435412630840", "2200000000000038"),
    "fraud_suspected": ("5555555555554568", "4483274282299972", "2200000000000046"),
    "general_decline": ("5555555555554527", "4889971706588753", "2202202212312379"),
    "insufficient_funds": ("5555555555554600", "4562265587712390", "2200000000000053"),
    "invalid_card_number": ("5555555555554618", "4951017853630544", "2201382000000013"),
    "invalid_csc": ("5555555555554626", "4194180666146368", "2200770212727079"),
    "issuer_unavailable": ("5555555555554501", "4654130848359150", "2201382000000021"),
    "payment_method_limit_exceeded": ("5555555555554576", "4565231022577548", "2201382000000039"),
    "payment_method_restricted": ("5555555555554550", "4233961169071671", "2201382000000047"),
}
_DECLINES_BY_YOOKASSA = {
    "country_forbidden": ("5555555555554584", "4969751510013864", "2201382000000054"),
    "fraud_suspected": ("5555555555554634", "4119098878796485", "2201696981989955"),
}

DECLINING = [
    TestCard(number, brand, party=party, reason=reason)
    for party, table in (("payment_network", _DECLINES), ("yoo_money", _DECLINES_BY_YOOKASSA))
    for reason, numbers in table.items()
    for number, brand in zip(numbers, ("MasterCard", "Visa", "MIR"), strict=True)
]

CARDS = {card.number: card for card in SUCCEEDING + DECLINING}

# The three the confirmation page and the README put first.
SUCCESS = "5555555555554444"
THREE_D_SECURE = "5555555555554477"
DECLINED = "5555555555554600"  # insufficient_funds


def luhn_ok(number: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
