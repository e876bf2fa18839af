import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded and generated images go to a per-test folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def site_home(db):
    from tests.factories import make_home_page

    return make_home_page()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Russian, whatever language the previous request activated."""
    from django.utils import translation

    with translation.override("ru"):
        yield
