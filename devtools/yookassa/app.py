"""The aiohttp application: the API, the customer's pages and the controls, one state."""

import asyncio
import contextlib
from pathlib import Path

from aiohttp import web

from . import api, controls, pages
from .clock import Clock
from .config import Config
from .faults import Faults
from .ledger import Ledger
from .notifications import Notifier
from .state import SERVER, Server

TICK_SECONDS = 0.5


def make_app(config: Config, *, store: Path | None = None) -> web.Application:
    clock = Clock()
    notifier = Notifier(config=config, clock=clock)
    ledger = Ledger(config=config, clock=clock, emit=notifier.enqueue, path=store)
    app = web.Application(middlewares=[api.middleware, controls.middleware])
    app[SERVER] = Server(
        config=config, clock=clock, ledger=ledger, notifier=notifier, faults=Faults()
    )
    app.add_routes(api.routes)
    app.add_routes(pages.routes)
    app.add_routes(controls.routes)
    app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application):
    """Deliver notifications, and let time act (expiries, receipts) even when nobody asks."""
    server = app[SERVER]

    async def tick():
        while True:
            server.ledger.tick()
            await asyncio.sleep(TICK_SECONDS)

    tasks = [asyncio.create_task(server.notifier.run()), asyncio.create_task(tick())]
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
