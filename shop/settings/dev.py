"""Local development: `make run`. Never used in production."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="") or "dev-only-not-secret-baikal-nerpa"
DEMO_DATA_ALLOWED = True
