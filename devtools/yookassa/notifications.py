"""HTTP notifications, as https://yookassa.ru/developers/using-api/webhooks describes them.

Each event is POSTed as `{"type": "notification", "event": …, "object": {…}}` to the
configured URL, from 127.0.0.1, unsigned (YooKassa signs nothing). Only HTTP 200 counts as
received; anything else is retried with a doubling delay (`retry_base` … `retry_max`
seconds) until 24 hours of the server's clock have passed since the event, as YooKassa
keeps trying for 24 hours.

Deliveries go one at a time, in the order they were queued, so a test can reproduce an
order exactly. For the tests:
- `hold()` keeps new notifications back; `release(order, times, concurrent)` then sends the
  held ones in their order, reversed or shuffled, each `times` times, one after another or
  all at once;
- `redeliver(ids)` sends notifications again, in the order given.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import aiohttp

from .clock import Clock, iso, parse_iso
from .config import Config
from .errors import invalid

log = logging.getLogger(__name__)

RETRY_WINDOW = timedelta(hours=24)


@dataclass
class Notification:
    id: str
    event: str
    object: dict
    created_at: str
    attempts: list = field(default_factory=list)  # {at, status, error}
    delivered: int = 0  # how many deliveries got HTTP 200
    gave_up: bool = False

    def body(self) -> dict:
        return {"type": "notification", "event": self.event, "object": self.object}

    def to_record(self) -> dict:
        return asdict(self)


class Notifier:
    def __init__(self, *, config: Config, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.sent: dict[str, Notification] = {}  # in order of events
        self.held: list[str] = []
        self.holding = False
        self._jobs: list[tuple[float, int, str]] = []  # (due, sequence, notification id)
        self._sequence = itertools.count()
        self._wake = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._bursts: set[asyncio.Task] = set()  # concurrent deliveries, kept until done

    # -- queueing ------------------------------------------------------------------------

    def enqueue(self, event: str, obj: dict) -> Notification:
        notification = Notification(
            id=str(uuid.uuid4()), event=event, object=obj, created_at=iso(self.clock.now())
        )
        self.sent[notification.id] = notification
        if self.holding:
            self.held.append(notification.id)
        elif self.config.notify_url:
            self._schedule(notification.id)
        return notification

    def hold(self) -> None:
        self.holding = True

    def release(
        self, *, order: str = "as_sent", times: int = 1, concurrent: bool = False
    ) -> list[str]:
        if order not in ("as_sent", "reverse", "shuffle"):
            raise invalid("order must be as_sent, reverse or shuffle", "order")
        if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 10:
            raise invalid("times must be from 1 to 10", "times")
        ids, self.held, self.holding = self.held, [], False
        if order == "reverse":
            ids = ids[::-1]
        elif order == "shuffle":
            ids = random.sample(ids, len(ids))
        sequence = ids * times
        self._send(sequence, concurrent=concurrent)
        return sequence

    def redeliver(self, ids: list[str], *, concurrent: bool = False) -> list[str]:
        if not isinstance(ids, list) or not ids:
            raise invalid("ids must be a list of notification ids", "ids")
        for notification_id in ids:
            if notification_id not in self.sent:
                raise invalid(f"No notification {notification_id}", "ids")
        self._send(ids, concurrent=concurrent)
        return ids

    def reset(self) -> None:
        self.sent, self.held, self.holding, self._jobs = {}, [], False, []

    def _send(self, ids: list[str], *, concurrent: bool) -> None:
        if concurrent:
            for notification_id in ids:
                task = asyncio.get_running_loop().create_task(self._deliver(notification_id))
                self._bursts.add(task)
                task.add_done_callback(self._bursts.discard)
        else:
            for notification_id in ids:
                self._schedule(notification_id)

    def _schedule(self, notification_id: str, delay: float = 0) -> None:
        self._jobs.append((time.monotonic() + delay, next(self._sequence), notification_id))
        self._wake.set()

    # -- delivering ----------------------------------------------------------------------

    async def run(self) -> None:
        """The delivery loop: the earliest due job first, one at a time."""
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.1", 0), force_close=True)
        self._session = aiohttp.ClientSession(connector=connector)
        try:
            while True:
                self._wake.clear()
                if not self._jobs:
                    await self._wake.wait()
                    continue
                job = min(self._jobs)
                wait = job[0] - time.monotonic()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=wait)
                    continue
                self._jobs.remove(job)
                await self._deliver(job[2])
        finally:
            await self._session.close()

    async def _deliver(self, notification_id: str) -> None:
        notification = self.sent.get(notification_id)
        url = self.config.notify_url
        if notification is None or not url:
            return
        attempt = {"at": iso(self.clock.now()), "status": None, "error": None}
        try:
            timeout = aiohttp.ClientTimeout(total=self.config.notify_timeout)
            async with self._session.post(
                url,
                data=json.dumps(notification.body(), ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json"},
                timeout=timeout,
            ) as response:
                await response.read()
                attempt["status"] = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            attempt["error"] = str(error) or type(error).__name__
        notification.attempts.append(attempt)
        if attempt["status"] == 200:
            notification.delivered += 1
            return
        failures = sum(1 for a in notification.attempts if a["status"] != 200)
        if self.clock.now() >= parse_iso(notification.created_at) + RETRY_WINDOW:
            notification.gave_up = True
            log.warning(
                "notification %s %s: gave up after 24 h", notification.event, notification.id
            )
            return
        delay = min(self.config.retry_base * 2 ** (failures - 1), self.config.retry_max)
        self._schedule(notification_id, delay)
