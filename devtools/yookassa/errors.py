"""YooKassa's error object and the HTTP statuses its API answers with.

The shape is the documented one (`type`, `id`, `code`, `description`, `parameter`); codes and
statuses follow https://yookassa.ru/developers/using-api/response-handling/http-codes (405 and
415 have no code there, so their error objects carry none). Descriptions are in English, as
YooKassa's are; where the real wording is known it is used (idempotence, credentials, not
found, a missing receipt), elsewhere it says plainly what is wrong.
"""

import uuid

CODES = {
    400: "invalid_request",
    401: "invalid_credentials",
    403: "forbidden",
    404: "not_found",
    429: "too_many_requests",
    500: "internal_server_error",
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameter: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameter = parameter

    def body(self) -> dict:
        body = {"type": "error", "id": str(uuid.uuid4())}
        if self.status in CODES:
            body["code"] = CODES[self.status]
        body["description"] = self.description
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def invalid(description: str, parameter: str | None = None) -> ApiError:
    return ApiError(400, description, parameter)


def not_found(kind: str, parameter: str) -> ApiError:
    # YooKassa does not tell "absent" from "another shop's": one answer for both.
    return ApiError(404, f"{kind} not found or forbidden", parameter)


INVALID_CREDENTIALS = (
    "Error in shopId or secret key. Check their validity. "
    "You can reissue the key in the Merchant Profile"
)
