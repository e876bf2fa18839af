"""Controls for `make run` and the tests, apart from the API and with no authentication (the
server listens on 127.0.0.1 only):

    GET  /_config                       the settings (shop id, secret, notification URL…)
    POST /_config                       change some: {"notify_url": "http://…", …}
    POST /_test/reset                   forget every payment, refund, receipt, key and
                                        notification; clock back to real time; no faults
    GET  /_test/clock                   {"now": …, "offset_seconds": …}
    POST /_test/clock                   {"advance_seconds": 86400} or {"now": "…"} or
                                        {"reset": true}; what fell due happens at once
    GET  /_test/notifications           every notification with its delivery attempts
                                        (?event=…&object_id=…)
    POST /_test/notifications/hold      keep new notifications back…
    POST /_test/notifications/release   …then send them: {"order": "as_sent" | "reverse" |
                                        "shuffle", "times": 3, "concurrent": false}
    POST /_test/notifications/redeliver {"ids": [id, id, …], "concurrent": false}
    GET  /_test/receipts                receipts with the customer they were sent to
                                        (?payment_id=…&refund_id=…&source=…)
    GET  /_test/faults                  injected faults waiting to happen
    POST /_test/faults                  {"path": "/v3/payments/*/capture", "method": "POST",
                                        "status": 500, "when": "before" | "after",
                                        "delay": 2.5, "times": 1}
    DELETE /_test/faults                remove them
"""

import json

from aiohttp import web

from .api import read_json
from .clock import iso, parse_iso
from .errors import ApiError, invalid
from .state import SERVER

routes = web.RouteTableDef()


@web.middleware
async def middleware(request: web.Request, handler) -> web.StreamResponse:
    if not request.path.startswith(("/_config", "/_test/")):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as error:
        return web.json_response(error.body(), status=error.status)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)


@routes.get("/_config")
async def get_config(request):
    return web.json_response(request.app[SERVER].config.to_dict())


@routes.post("/_config")
async def set_config(request):
    config = request.app[SERVER].config
    config.update(await read_json(request))
    return web.json_response(config.to_dict())


@routes.post("/_test/reset")
async def reset(request):
    server = request.app[SERVER]
    server.ledger.reset()
    server.notifier.reset()
    server.faults.clear()
    server.clock.reset()
    return web.json_response({"reset": True})


def _clock(server) -> dict:
    return {"now": iso(server.clock.now()), "offset_seconds": server.clock.offset.total_seconds()}


@routes.get("/_test/clock")
async def get_clock(request):
    return web.json_response(_clock(request.app[SERVER]))


@routes.post("/_test/clock")
async def set_clock(request):
    server = request.app[SERVER]
    data = await read_json(request)
    if data.get("reset"):
        server.clock.reset()
    elif "advance_seconds" in data:
        seconds = data["advance_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise invalid("advance_seconds must be a number", "advance_seconds")
        server.clock.advance(seconds)
    elif "now" in data:
        try:
            server.clock.set(parse_iso(data["now"]))
        except (TypeError, ValueError):
            raise invalid("now must be an ISO 8601 moment", "now") from None
    else:
        raise invalid("Send advance_seconds, now or reset")
    server.ledger.tick()
    return web.json_response(_clock(server))


@routes.get("/_test/notifications")
async def list_notifications(request):
    records = [n.to_record() for n in request.app[SERVER].notifier.sent.values()]
    if request.query.get("event"):
        records = [r for r in records if r["event"] == request.query["event"]]
    if request.query.get("object_id"):
        records = [r for r in records if r["object"].get("id") == request.query["object_id"]]
    return web.json_response(records, dumps=_dumps)


@routes.post("/_test/notifications/hold")
async def hold_notifications(request):
    request.app[SERVER].notifier.hold()
    return web.json_response({"holding": True})


@routes.post("/_test/notifications/release")
async def release_notifications(request):
    data = await read_json(request)
    sequence = request.app[SERVER].notifier.release(
        order=data.get("order", "as_sent"),
        times=data.get("times", 1),
        concurrent=bool(data.get("concurrent", False)),
    )
    return web.json_response({"sequence": sequence})


@routes.post("/_test/notifications/redeliver")
async def redeliver_notifications(request):
    data = await read_json(request)
    sequence = request.app[SERVER].notifier.redeliver(
        data.get("ids"), concurrent=bool(data.get("concurrent", False))
    )
    return web.json_response({"sequence": sequence})


@routes.get("/_test/receipts")
async def list_receipts(request):
    # In the order they were registered.
    records = [r.to_record() for r in request.app[SERVER].ledger.receipts.values()]
    for name in ("payment_id", "refund_id", "source"):
        if request.query.get(name):
            records = [r for r in records if r.get(name) == request.query[name]]
    return web.json_response(records, dumps=_dumps)


@routes.get("/_test/faults")
async def list_faults(request):
    return web.json_response(request.app[SERVER].faults.to_list())


@routes.post("/_test/faults")
async def add_fault(request):
    fault = request.app[SERVER].faults.add(await read_json(request))
    return web.json_response(fault.__dict__)


@routes.delete("/_test/faults")
async def clear_faults(request):
    request.app[SERVER].faults.clear()
    return web.json_response([])
