from oscar.apps.checkout.models import *  # noqa: F403
