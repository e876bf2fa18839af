"""The API under /v3: what the official `yookassa` SDK calls.

Every request is authenticated with HTTP Basic `shopId:secretKey`; every POST needs an
`Idempotence-Key` and a JSON body (or none). Success is HTTP 200 with the object, failure
YooKassa's error object with its status. The handlers only parse and call the ledger.
"""

import asyncio
import base64
import binascii
import json
import logging

from aiohttp import web

from .errors import INVALID_CREDENTIALS, ApiError, invalid
from .idempotence import check_key, fingerprint, recall, remember
from .state import SERVER

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def json_response(body: dict, status: int = 200) -> web.Response:
    return web.json_response(
        body, status=status, dumps=lambda data: json.dumps(data, ensure_ascii=False)
    )


def _authenticate(request: web.Request) -> None:
    config = request.app[SERVER].config
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    try:
        shop_id, _, secret = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        shop_id = secret = None
    if scheme != "Basic" or shop_id != config.shop_id or secret != config.secret_key:
        raise ApiError(401, INVALID_CREDENTIALS, "Authorization")


@web.middleware
async def middleware(request: web.Request, handler) -> web.StreamResponse:
    """Authentication, injected faults and YooKassa's error objects for everything under /v3."""
    if not request.path.startswith("/v3/") and request.path != "/v3":
        return await handler(request)
    server = request.app[SERVER]
    server.ledger.tick()
    try:
        _authenticate(request)
        fault = server.faults.take(request.method, request.path)
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.status and fault.when == "before":
            raise fault.error()
        response = await handler(request)
        if fault and fault.status and fault.when == "after":
            raise fault.error()
        return response
    except ApiError as error:
        return json_response(error.body(), error.status)
    except web.HTTPMethodNotAllowed:
        return json_response(ApiError(405, "Method not allowed").body(), 405)
    except web.HTTPNotFound:
        return json_response(ApiError(404, "Not found").body(), 404)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return json_response(ApiError(500, "Internal server error").body(), 500)


async def read_json(request: web.Request) -> dict:
    """The JSON object a POST carries ({} for none); YooKassa's 415 for another type."""
    raw = await request.read()
    if not raw.strip():
        return {}
    if request.content_type != "application/json":
        raise ApiError(415, "Content-Type must be application/json")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


async def _post(request: web.Request, action) -> web.Response:
    """Run `action(body)` once per idempotence key, answer the stored result on repeats."""
    server = request.app[SERVER]
    key = check_key(request.headers.get("Idempotence-Key"))
    body = await read_json(request)
    signature = fingerprint(request.method, request.path, body)
    now = server.clock.now()
    stored = recall(server.ledger.keys, key, signature, now)
    if stored is not None:
        status, payload = stored
        return json_response(payload, status)
    try:
        payload, status = server.ledger.api(action(body)), 200
    except ApiError as error:
        payload, status = error.body(), error.status
    remember(server.ledger.keys, key, signature, status, payload, now)
    server.ledger.save()
    return json_response(payload, status)


@routes.post("/v3/payments")
async def create_payment(request):
    ledger = request.app[SERVER].ledger
    return await _post(request, ledger.create_payment)


@routes.get("/v3/payments")
async def list_payments(request):
    return json_response(request.app[SERVER].ledger.page("payments", request.query))


@routes.get("/v3/payments/{payment_id}")
async def get_payment(request):
    ledger = request.app[SERVER].ledger
    return json_response(ledger.api(ledger.payment(request.match_info["payment_id"])))


@routes.post("/v3/payments/{payment_id}/capture")
async def capture_payment(request):
    ledger = request.app[SERVER].ledger
    return await _post(request, lambda body: ledger.capture(request.match_info["payment_id"], body))


@routes.post("/v3/payments/{payment_id}/cancel")
async def cancel_payment(request):
    ledger = request.app[SERVER].ledger
    return await _post(request, lambda body: ledger.cancel(request.match_info["payment_id"]))


@routes.post("/v3/refunds")
async def create_refund(request):
    ledger = request.app[SERVER].ledger
    return await _post(request, ledger.create_refund)


@routes.get("/v3/refunds")
async def list_refunds(request):
    return json_response(request.app[SERVER].ledger.page("refunds", request.query))


@routes.get("/v3/refunds/{refund_id}")
async def get_refund(request):
    ledger = request.app[SERVER].ledger
    return json_response(ledger.api(ledger.refund(request.match_info["refund_id"])))


@routes.post("/v3/receipts")
async def create_receipt(request):
    ledger = request.app[SERVER].ledger
    return await _post(request, ledger.create_receipt)


@routes.get("/v3/receipts")
async def list_receipts(request):
    return json_response(request.app[SERVER].ledger.page("receipts", request.query))


@routes.get("/v3/receipts/{receipt_id}")
async def get_receipt(request):
    ledger = request.app[SERVER].ledger
    return json_response(ledger.api(ledger.receipt(request.match_info["receipt_id"])))
