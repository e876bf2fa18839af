"""The pages the customer sees: the card form a redirect confirmation sends them to, the
3-D Secure step, and "the bank app" that an SBP link or QR code opens.

Russian first with English below, plain HTML and a little CSS, no script and nothing
fetched from elsewhere, so they work in a headless browser with no internet. Reading a page
changes nothing; every step is a POST. When the customer is done they are sent (303) to the
payment's `return_url`, whatever the outcome, as YooKassa does.
"""

import re
from calendar import monthrange
from datetime import UTC, datetime
from html import escape

from aiohttp import web

from . import cards
from .models import Payment
from .state import SERVER

routes = web.RouteTableDef()

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 color:#1b1f24;background:#f2f4f7}
main{max-width:34rem;margin:0 auto;padding:1rem}
.test{background:#fff3c4;border:1px solid #d9b100;border-radius:.5rem;padding:.5rem .75rem;
 font-size:.9rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;margin:1rem 0;
 box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:.25rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .5rem}
.en{display:block;color:#4a5562;font-size:.85em;font-weight:normal}
button .en,.error .en{color:inherit}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dt{color:#4a5562}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #8a96a3;border-radius:.4rem}
input:focus,button:focus,a:focus{outline:3px solid #0b63ce;outline-offset:2px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem}
button{font:inherit;font-weight:600;border:0;border-radius:.5rem;padding:.75rem 1rem;
 margin:1rem .5rem 0 0;cursor:pointer;background:#0b63ce;color:#fff}
button.secondary{background:#e4e8ee;color:#1b1f24}
.error{background:#fde8e8;border:1px solid #c81e1e;border-radius:.5rem;padding:.5rem .75rem;
 color:#8a1111}
.ok{background:#e6f6ea;border:1px solid #1f7a35;border-radius:.5rem;padding:.5rem .75rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #dde2e8;vertical-align:top}
code{font-size:.95em;white-space:nowrap}
a{color:#0b63ce}
"""

TEST_BANNER = (
    '<p class="test" role="note">Тестовый платёж: настоящие деньги не списываются.'
    '<span class="en" lang="en">Test payment: no real money is taken.</span></p>'
)


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    html = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · ЮKassa (тест)</title><style>{STYLE}</style></head>"
        f"<body><main>{TEST_BANNER}{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status)


def _heading(russian: str, english: str, level: int = 1) -> str:
    return f'<h{level}>{russian}<span class="en" lang="en">{english}</span></h{level}>'


def _rub(payment: Payment) -> str:
    whole, _, kopecks = payment.amount.partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return (
        f"{grouped},{kopecks}\u00a0₽"
        if payment.currency == "RUB"
        else f"{payment.amount} {payment.currency}"
    )


def _summary(payment: Payment, shop_id: str) -> str:
    rows = [
        ("Магазин", "Shop", escape(shop_id)),
        ("Сумма", "Amount", _rub(payment)),
    ]
    if payment.description:
        rows.append(("Назначение", "For", escape(payment.description)))
    cells = "".join(
        f'<dt>{ru} <span lang="en">· {en}</span></dt><dd>{value}</dd>' for ru, en, value in rows
    )
    return f"<dl>{cells}</dl>"


def _return_url(payment: Payment) -> str | None:
    return (payment.confirmation or {}).get("return_url")


def _back_link(payment: Payment) -> str:
    url = _return_url(payment)
    if not url:
        return ""
    return (
        f'<p><a href="{escape(url)}">Вернуться в магазин</a> · '
        f'<a href="{escape(url)}" lang="en">Back to the shop</a></p>'
    )


def _error(russian: str, english: str) -> str:
    return f'<p class="error" role="alert">{russian}<span class="en" lang="en">{english}</span></p>'


def _finish(payment: Payment) -> web.Response:
    """Back to the shop when there is a return_url; otherwise say how it went."""
    url = _return_url(payment)
    if url:
        raise web.HTTPSeeOther(url)
    if payment.status in ("waiting_for_capture", "succeeded"):
        message = (
            '<p class="ok" role="status">Оплата прошла. Вернитесь в магазин.'
            '<span class="en" lang="en">Payment approved. Return to the shop.</span></p>'
        )
    else:
        message = _error("Оплата не прошла.", "The payment was not made.")
    return _page("Готово", _heading("Готово", "Done") + f'<div class="card">{message}</div>')


def _payment(request: web.Request) -> Payment:
    server = request.app[SERVER]
    server.ledger.tick()
    payment = server.ledger.payments.get(request.match_info["payment_id"])
    if payment is None:
        raise web.HTTPNotFound(
            text=_page("Не найдено", _heading("Платёж не найден", "Payment not found")).text,
            content_type="text/html",
        )
    return payment


def _processed(payment: Payment, shop_id: str) -> web.Response:
    status = {
        "waiting_for_capture": ("Оплата подтверждена", "The payment is confirmed"),
        "succeeded": ("Оплата прошла", "The payment is complete"),
        "canceled": ("Платёж отменён", "The payment is canceled"),
    }[payment.status]
    body = (
        _heading("Платёж уже обработан", "This payment is already processed")
        + f'<div class="card">{_summary(payment, shop_id)}'
        + f'<p role="status">{status[0]}.<span class="en" lang="en">{status[1]}.</span></p>'
        + _back_link(payment)
        + "</div>"
    )
    return _page("Платёж обработан", body)


# -- cards -------------------------------------------------------------------------------


def _test_cards() -> str:
    main = [
        (cards.SUCCESS, "оплата проходит", "succeeds"),
        (cards.THREE_D_SECURE, "оплата с шагом 3-D Secure", "succeeds after a 3-D Secure step"),
        (cards.DECLINED, "банк отклоняет: недостаточно средств", "declined: insufficient funds"),
        ("5555555555554592", "3-D Secure не пройден", "3-D Secure fails"),
    ]
    rows = "".join(
        f"<tr><td><code>{_spaced(number)}</code></td><td>{ru}"
        f'<span class="en" lang="en">{en}</span></td></tr>'
        for number, ru, en in main
    )
    others = "".join(
        f"<tr><td><code>{_spaced(card.number)}</code></td><td>{card.brand}</td>"
        f"<td>{_outcome(card)}</td></tr>"
        for card in cards.CARDS.values()
    )
    return (
        '<section class="card" aria-labelledby="test-cards">'
        + '<h2 id="test-cards">Тестовые карты<span class="en" lang="en">Test cards</span></h2>'
        + "<p>Срок действия — любой в будущем, CVC и код 3-D Secure — любые цифры."
        + '<span class="en" lang="en">Any future expiry date, any CVC and any 3-D Secure code.'
        + "</span></p>"
        + "<table><thead><tr><th>Номер · Number</th><th>Что будет · Outcome</th></tr></thead>"
        + f"<tbody>{rows}</tbody></table>"
        + "<details><summary>Все тестовые карты ЮKassa · All YooKassa test cards</summary>"
        + "<table><thead><tr><th>Номер · Number</th><th>Карта · Card</th>"
        + f"<th>Что будет · Outcome</th></tr></thead><tbody>{others}</tbody></table>"
        + "</details></section>"
    )


def _outcome(card: cards.TestCard) -> str:
    if card.reason:
        return f"canceled: {card.reason} ({card.party})"
    return "succeeded, 3-D Secure" if card.three_d_secure else "succeeded"


def _spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _card_form(
    payment: Payment,
    shop_id: str,
    *,
    error: str = "",
    values: dict | None = None,
    status: int = 200,
) -> web.Response:
    values = values or {}
    sbp = ""
    if payment.method_type is None:
        sbp = (
            f'<p><a href="/sbp/{payment.id}">Оплатить через СБП</a> · '
            f'<a href="/sbp/{payment.id}" lang="en">Pay by SBP</a></p>'
        )
    body = (
        _heading("Оплата банковской картой", "Card payment")
        + f'<div class="card">{_summary(payment, shop_id)}{error}'
        + f'<form method="post" action="/checkout/{payment.id}">'
        + '<label for="card-number">Номер карты'
        + '<span class="en" lang="en">Card number</span></label>'
        + '<input id="card-number" name="number" inputmode="numeric" autocomplete="cc-number" '
        + f'required maxlength="23" value="{escape(values.get("number", ""))}">'
        + '<div class="row"><div>'
        + '<label for="card-expiry">Срок действия'
        + '<span class="en" lang="en">Expiry (MM/YY)</span></label>'
        + '<input id="card-expiry" name="expiry" autocomplete="cc-exp" placeholder="ММ/ГГ" '
        + f'required maxlength="7" value="{escape(values.get("expiry", ""))}"></div><div>'
        + '<label for="card-csc">CVC<span class="en" lang="en">Security code</span></label>'
        + '<input id="card-csc" name="csc" inputmode="numeric" autocomplete="cc-csc" required '
        + 'maxlength="4"></div></div>'
        + f'<button type="submit">Оплатить {_rub(payment)}'
        + '<span class="en" lang="en">Pay</span></button>'
        + f"</form>{sbp}{_back_link(payment)}</div>"
        + _test_cards()
    )
    return _page("Оплата картой", body, status=status)


def _parse_card(form, now: datetime) -> tuple[dict | None, str]:
    """The card the form holds, or the error to show."""
    number = re.sub(r"[\s-]", "", form.get("number", ""))
    if not re.fullmatch(r"\d{12,19}", number) or not cards.luhn_ok(number):
        return None, _error("Проверьте номер карты.", "Check the card number.")
    match = re.fullmatch(r"\s*(\d{1,2})\s*[/. -]?\s*(\d{2}|\d{4})\s*", form.get("expiry", ""))
    month = int(match.group(1)) if match else 0
    if not match or not 1 <= month <= 12:
        return None, _error(
            "Укажите срок действия: месяц и год, ММ/ГГ.", "Enter the expiry as MM/YY."
        )
    year = int(match.group(2)) + (2000 if len(match.group(2)) == 2 else 0)
    last_day = datetime(year, month, monthrange(year, month)[1], 23, 59, 59, tzinfo=UTC)
    if last_day < now:
        return None, _error("Срок действия карты истёк.", "The card has expired.")
    if not re.fullmatch(r"\d{3,4}", form.get("csc", "").strip()):
        return None, _error(
            "CVC — три или четыре цифры с обратной стороны карты.", "The CVC is 3 or 4 digits."
        )
    card = cards.CARDS.get(number)
    if card is None:
        return None, _error(
            "Это тестовый магазин: оплатить можно только тестовой картой (список ниже).",
            "This is a test shop: use one of the test cards below.",
        )
    details = {
        "first6": number[:6],
        "last4": number[-4:],
        "expiry_year": str(year),
        "expiry_month": f"{month:02d}",
        "card_type": card.brand,
        "issuer_country": "RU",
    }
    return {"number": number, "card": details}, ""


@routes.get("/checkout/{payment_id}")
async def card_form(request):
    payment = _payment(request)
    shop_id = request.app[SERVER].config.shop_id
    if payment.method_type == "sbp":
        raise web.HTTPFound(f"/sbp/{payment.id}")
    if payment.status != "pending":
        return _processed(payment, shop_id)
    return _card_form(payment, shop_id)


@routes.post("/checkout/{payment_id}")
async def card_submit(request):
    payment = _payment(request)
    server = request.app[SERVER]
    if payment.status != "pending":
        return _processed(payment, server.config.shop_id)
    if payment.method_type == "sbp":
        raise web.HTTPSeeOther(f"/sbp/{payment.id}")
    form = await request.post()
    entered, error = _parse_card(form, server.clock.now())
    if entered is None:
        values = {"number": form.get("number", ""), "expiry": form.get("expiry", "")}
        return _card_form(payment, server.config.shop_id, error=error, values=values, status=400)
    card = cards.CARDS[entered["number"]]
    details = {"card": entered["card"]}
    if card.three_d_secure or card.reason == "3d_secure_failed":
        payment.pending_card = {"number": entered["number"], **details}
        server.ledger.save()
        raise web.HTTPSeeOther(f"/checkout/{payment.id}/3ds")
    if card.reason:
        server.ledger.decline(
            payment, party=card.party, reason=card.reason, method_type="bank_card", details=details
        )
    else:
        server.ledger.authorize(
            payment, method_type="bank_card", details=details, three_d_secure=False
        )
    return _finish(payment)


def _three_d_secure_page(
    payment: Payment, shop_id: str, *, error: str = "", status: int = 200
) -> web.Response:
    last4 = payment.pending_card["card"]["last4"]
    body = (
        _heading("Подтверждение оплаты · 3-D Secure", "Confirm the payment · 3-D Secure")
        + f'<div class="card">{_summary(payment, shop_id)}'
        + f"<p>Банк отправил код на телефон владельца карты *{last4}. В тестовом магазине "
        + "подойдёт любой код."
        + '<span class="en" lang="en">The bank sent a code to the phone of the holder of card '
        + f"*{last4}. Any code works in a test shop.</span></p>{error}"
        + f'<form method="post" action="/checkout/{payment.id}/3ds">'
        + '<label for="code">Код из SMS<span class="en" lang="en">Code from the SMS</span></label>'
        + '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" '
        + 'maxlength="8" required>'
        + '<button type="submit" name="action" value="confirm">Подтвердить'
        + '<span class="en" lang="en">Confirm</span></button>'
        + '<button type="submit" name="action" value="fail" class="secondary" formnovalidate>'
        + 'Не подтверждать<span class="en" lang="en">Fail authentication</span></button>'
        + "</form></div>"
    )
    return _page("3-D Secure", body, status=status)


@routes.get("/checkout/{payment_id}/3ds")
async def three_d_secure(request):
    payment = _payment(request)
    shop_id = request.app[SERVER].config.shop_id
    if payment.status != "pending":
        return _processed(payment, shop_id)
    if not payment.pending_card:
        raise web.HTTPFound(f"/checkout/{payment.id}")
    return _three_d_secure_page(payment, shop_id)


@routes.post("/checkout/{payment_id}/3ds")
async def three_d_secure_submit(request):
    payment = _payment(request)
    server = request.app[SERVER]
    if payment.status != "pending":
        return _processed(payment, server.config.shop_id)
    if not payment.pending_card:
        raise web.HTTPSeeOther(f"/checkout/{payment.id}")
    form = await request.post()
    card = cards.CARDS[payment.pending_card["number"]]
    details = {"card": payment.pending_card["card"]}
    if form.get("action") == "confirm":
        if not re.fullmatch(r"\d{1,8}", form.get("code", "").strip()):
            error = _error("Введите код из SMS: цифры.", "Enter the code from the SMS: digits.")
            return _three_d_secure_page(payment, server.config.shop_id, error=error, status=400)
        if card.reason:  # a card whose 3-D Secure always fails
            server.ledger.decline(
                payment,
                party=card.party,
                reason=card.reason,
                method_type="bank_card",
                details=details,
            )
        else:
            server.ledger.authorize(
                payment, method_type="bank_card", details=details, three_d_secure=True
            )
    else:
        server.ledger.decline(
            payment,
            party="payment_network",
            reason="3d_secure_failed",
            method_type="bank_card",
            details=details,
        )
    return _finish(payment)


# -- SBP ---------------------------------------------------------------------------------


@routes.get("/sbp/{payment_id}")
async def sbp_app(request):
    payment = _payment(request)
    shop_id = request.app[SERVER].config.shop_id
    if payment.status != "pending":
        return _processed(payment, shop_id)
    if payment.method_type not in (None, "sbp"):
        raise web.HTTPFound(f"/checkout/{payment.id}")
    body = (
        _heading("Приложение банка · СБП", "Bank app · SBP (Faster Payments System)")
        + f'<div class="card">{_summary(payment, shop_id)}'
        + '<p>Магазин просит оплатить по СБП со счёта в вашем банке.<span class="en" lang="en">'
        + "The shop asks you to pay by SBP from your bank account.</span></p>"
        + f'<form method="post" action="/sbp/{payment.id}">'
        + f'<button type="submit" name="action" value="approve">Оплатить {_rub(payment)}'
        + '<span class="en" lang="en">Pay</span></button>'
        + '<button type="submit" name="action" value="refuse" class="secondary">Отказаться'
        + '<span class="en" lang="en">Refuse</span></button></form></div>'
    )
    return _page("Оплата по СБП", body)


@routes.post("/sbp/{payment_id}")
async def sbp_submit(request):
    payment = _payment(request)
    server = request.app[SERVER]
    if payment.status != "pending":
        return _processed(payment, server.config.shop_id)
    if payment.method_type not in (None, "sbp"):
        raise web.HTTPSeeOther(f"/checkout/{payment.id}")
    form = await request.post()
    if form.get("action") == "approve":
        details = {
            "sbp_operation_id": payment.id.replace("-", "").upper()[:32],
            "payer_bank_details": {"bank_id": "100000000111", "bic": "044525225"},
        }
        server.ledger.authorize(payment, method_type="sbp", details=details, three_d_secure=False)
    else:
        # The payer turned the request down in the bank app.
        server.ledger.decline(
            payment, party="payment_network", reason="general_decline", method_type="sbp"
        )
    return _finish(payment)
