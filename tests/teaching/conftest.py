import datetime as dt

import pytest
from django.utils import timezone

from shop.teaching.models import Period


@pytest.fixture
def period():
    """An assessment period around today."""
    today = timezone.localdate()
    return Period.objects.create(
        name="Текущий период",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
    )
