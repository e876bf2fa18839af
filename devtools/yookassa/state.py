"""The server's parts, reachable from every handler through one application key."""

from dataclasses import dataclass

from aiohttp import web

from .clock import Clock
from .config import Config
from .faults import Faults
from .ledger import Ledger
from .notifications import Notifier


@dataclass
class Server:
    config: Config
    clock: Clock
    ledger: Ledger
    notifier: Notifier
    faults: Faults


SERVER = web.AppKey("server", Server)
