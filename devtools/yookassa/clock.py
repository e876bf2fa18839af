"""The server's clock: real time plus an offset that the tests move (`/_test/clock`).

Everything with a deadline (an unconfirmed payment, an authorisation waiting for capture,
an idempotence key, a notification's retry window) reads this clock, so a test can pass
24 hours or 7 days in a second. Retry back-off waits in real time (it paces real requests).
"""

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)

    def reset(self) -> None:
        self.offset = timedelta()


def iso(moment: datetime) -> str:
    """YooKassa's timestamps: UTC, milliseconds, a Z (`2018-07-10T14:27:54.691Z`)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(value: str) -> datetime:
    """An ISO 8601 moment as the API's filters take it; naive means UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
