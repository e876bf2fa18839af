"""The site's pages link a cut of Oscar's Bootstrap stylesheet (static/css/bootstrap.css,
made by scripts/css_subset.py): every Bootstrap rule the project's templates, scripts and
modules can use is in it, so a page never loses a style the full stylesheet gave it."""

import posixpath
import re
from pathlib import Path

import oscar
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
FULL = Path(oscar.__file__).resolve().parent / "static" / "oscar" / "css" / "styles.css"
SUBSET = ROOT / "static" / "css" / "bootstrap.css"
CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
# The words PurgeCSS's default extractor takes from a file: any of them may be a class name.
WORD = re.compile(r"[A-Za-z0-9_-]+")


def _selectors(css: str) -> list[str]:
    """Every selector of every style rule, at any depth of @media."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for prelude in re.findall(r"(?:^|[{};])\s*([^{};]+?)\s*\{", css):
        if not prelude.startswith("@"):
            found += [selector.strip() for selector in prelude.split(",")]
    return found


def _normal(selector: str) -> str:
    """A selector as the minifier writes it: no spaces around combinators, no quotes."""
    selector = re.sub(r"\s*([>+~])\s*", r"\1", selector.replace('"', "").replace("'", ""))
    return re.sub(r"\s+", " ", selector)


def _project_words() -> set[str]:
    files = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "cms" / "templates").rglob("*.html"),
        *(ROOT / "static" / "js").rglob("*.js"),
        *(
            path
            for package in ("shop", "cms", "catalogue")
            for path in (ROOT / package).rglob("*.py")
        ),
    ]
    return {word for path in files for word in WORD.findall(path.read_text(errors="replace"))}


def test_every_bootstrap_rule_the_project_can_use_is_in_the_subset():
    words = _project_words()
    kept = {_normal(selector) for selector in _selectors(SUBSET.read_text())}
    missing = set()
    for selector in _selectors(FULL.read_text()):
        names = set(CLASS.findall(selector))
        if names and names <= words and _normal(selector) not in kept:
            missing.add(selector)
    assert not missing, (
        "Bootstrap rules used by the project but not in static/css/bootstrap.css "
        f"(run scripts/css_subset.py): {sorted(missing)[:20]}"
    )


@pytest.mark.django_db
def test_pages_link_the_subset_and_not_the_whole_of_bootstrap():
    from tests.factories import make_home_page

    make_home_page()
    html = Client().get("/").content.decode()
    assert "/static/css/bootstrap.css" in html
    assert "oscar/css/styles.css" not in html


def test_the_fonts_and_images_the_subset_names_are_found_where_it_looks():
    # The subset lives in css/, its source in oscar/css/: Font Awesome's fonts (the icons of
    # the site's messages) must still be found from there.
    from django.contrib.staticfiles import finders

    addresses = re.findall(r'url\(["\']?([^"\')]+)', SUBSET.read_text())
    files = [address for address in addresses if not address.startswith("data:")]
    assert files
    missing = [
        address for address in files if not finders.find(posixpath.normpath(f"css/{address}"))
    ]
    assert not missing
