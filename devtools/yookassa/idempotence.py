"""Idempotence keys, as https://yookassa.ru/developers/using-api/interaction-format describes.

Every POST carries an `Idempotence-Key` (at most 64 characters). The same key with the same
request within 24 hours gets the stored answer (the same object, the same status) and
nothing happens again; the same key with another request gets "Idempotence key
duplicated"; after 24 hours the key is forgotten and the request is a new one. Answers with
a 5xx status are not stored: YooKassa asks to repeat those with the same key.
"""

import hashlib
import json
from datetime import timedelta

from .clock import iso, parse_iso
from .errors import invalid

MAX_LENGTH = 64
LIFETIME = timedelta(hours=24)


def check_key(key: str | None) -> str:
    if not key:
        raise invalid("Idempotence key is empty", "Idempotence-Key")
    if len(key) > MAX_LENGTH:
        raise invalid(
            "Idempotence key is too long. Send the value in accordance with the documentation",
            "Idempotence-Key",
        )
    return key


def fingerprint(method: str, path: str, body) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def recall(keys: dict, key: str, request: str, now) -> tuple[int, dict] | None:
    """The stored answer for a repeated request, None for a new one."""
    record = keys.get(key)
    if record is None or parse_iso(record["at"]) + LIFETIME <= now:
        return None
    if record["request"] != request:
        raise invalid("Idempotence key duplicated", "Idempotence-Key")
    return record["status"], record["body"]


def remember(keys: dict, key: str, request: str, status: int, body: dict, now) -> None:
    if status >= 500:
        return
    keys[key] = {"request": request, "status": status, "body": body, "at": iso(now)}


def forget_expired(keys: dict, now) -> None:
    for key in [k for k, record in keys.items() if parse_iso(record["at"]) + LIFETIME <= now]:
        del keys[key]
