"""Faults the tests inject into the API (`POST /_test/faults`): a slow answer, an error
instead of an answer, or an error after the request was carried out (the answer lost on
the way back, so the shop must repeat with the same idempotence key)."""

import fnmatch
from dataclasses import asdict, dataclass

from .errors import ApiError, invalid

DESCRIPTIONS = {
    403: "Forbidden (injected by /_test/faults)",
    429: "Too many requests (injected by /_test/faults)",
    500: "Internal server error (injected by /_test/faults)",
}


@dataclass
class Fault:
    path: str  # a glob: /v3/payments/*/capture
    method: str = "*"
    status: int | None = None  # None: only the delay
    when: str = "before"  # before: nothing is done; after: done, then the error is answered
    delay: float = 0.0  # seconds before answering
    times: int = 1

    def error(self) -> ApiError:
        return ApiError(self.status, DESCRIPTIONS.get(self.status, "Injected by /_test/faults"))


class Faults:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, data) -> Fault:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise invalid("Send a JSON object with at least a path glob", "path")
        try:
            fault = Fault(**data)
        except TypeError as error:
            raise invalid(str(error)) from None
        if fault.status is not None and fault.status not in (
            400,
            401,
            403,
            404,
            429,
            500,
            502,
            503,
        ):
            raise invalid("status must be an error status", "status")
        if fault.when not in ("before", "after"):
            raise invalid("when must be before or after", "when")
        if not isinstance(fault.times, int) or fault.times < 1:
            raise invalid("times must be at least 1", "times")
        if not isinstance(fault.delay, int | float) or not 0 <= fault.delay <= 120:
            raise invalid("delay must be from 0 to 120 seconds", "delay")
        self.faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request, used up once."""
        for fault in self.faults:
            if fault.method in ("*", method) and fnmatch.fnmatchcase(path, fault.path):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def to_list(self) -> list[dict]:
        return [asdict(f) for f in self.faults]

    def clear(self) -> None:
        self.faults = []
