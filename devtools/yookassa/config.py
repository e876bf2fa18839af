"""What the server is told at start (command line) and may be told later (`POST /_config`)."""

from dataclasses import asdict, dataclass, fields

from .errors import invalid

DAY = 24 * 3600


@dataclass
class Config:
    shop_id: str = "100500"
    secret_key: str = "test_local_secret_key"
    notify_url: str = ""  # where notifications go; none are sent while it is empty
    public_url: str = ""  # the base of confirmation links, http://127.0.0.1:<port> by default
    confirmation_ttl: float = 3600  # a card or SBP payment left unconfirmed is canceled after 1 h
    authorization_ttl: float = 7 * DAY  # card authorisations are kept 7 days, then canceled
    receipt_delay: float = 0  # seconds of the server's clock before a receipt is registered
    require_receipt: bool = True  # a shop under 54-FZ: payments and refunds carry receipts
    retry_base: float = 1.0  # first retry of a refused notification after this many seconds…
    retry_max: float = 300.0  # …doubling up to this; retries stop 24 h after the event
    notify_timeout: float = 10.0

    def update(self, data: dict) -> None:
        """Change some settings from a JSON object; unknown names and wrong types are refused."""
        if not isinstance(data, dict):
            raise invalid("Send a JSON object of settings")
        kinds = {f.name: f.type for f in fields(self)}
        for name, value in data.items():
            if name not in kinds:
                raise invalid(f"Unknown setting {name}", name)
            kind = kinds[name]
            if kind is bool and not isinstance(value, bool):
                raise invalid(f"{name} must be true or false", name)
            if kind is float and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise invalid(f"{name} must be a number of seconds", name)
            if kind is str and not isinstance(value, str):
                raise invalid(f"{name} must be a string", name)
        for name, value in data.items():
            setattr(self, name, float(value) if kinds[name] is float else value)
        self.public_url = self.public_url.rstrip("/")

    def to_dict(self) -> dict:
        return asdict(self)
