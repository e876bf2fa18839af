"""Site search: Oscar products and Wagtail pages on one page (/search/, /en/search/, ...).

Products are matched in the database, every word of the query in the title or description
(Russian, in Oscar's own fields) or in any language's `ProductTranslation` row. The match has
to ignore case for Cyrillic, and SQLite cannot do that by itself: its LOWER(), UPPER(), LIKE
and so Django's `icontains` fold ASCII letters only, so "нерпа" would not find "Нерпа".
PostgreSQL's lower() folds every letter its ctype knows (C.UTF-8 from scripts/postgres.sh,
ru_RU.UTF-8 or en_US.UTF-8 in production; a plain "C" database would fold ASCII only).

So both sides are lowered: the query in Python, the column by `UnicodeLower`, which is SQL
LOWER() everywhere except on SQLite, where it calls `unicode_lower()`: Python's `str.lower`
registered on each SQLite connection. The comparison is then a plain LIKE '%word%', which
behaves the same on both databases. No index helps a '%word%' match, which is fine for a
catalogue of tens of products.

Pages go through Wagtail's search backend (the database backend): SQLite FTS5, whose
unicode61 tokenizer folds case for every script, or PostgreSQL's tsvector. Both were checked
to find "рассвета" and "РАССВЕТА" in "Встреча рассвета на Байкале"; both match whole words
only. Only the live, public pages of the current language's locale are searched.

The query reaching either backend holds only words (`\\w+`): a quote or a NUL byte would
break SQLite's FTS syntax or PostgreSQL's text type.
"""

import re
import unicodedata
from functools import cached_property, reduce
from operator import and_
from urllib.parse import urlencode

from django.db.backends.signals import connection_created
from django.db.models import Exists, Func, OuterRef, Q
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.views.generic import ListView
from oscar.core.loading import get_model
from wagtail.models import Locale, Page

from catalogue.selectors import catalogue_product_cards_queryset

ProductTranslation = get_model("catalogue", "ProductTranslation")

QUERY_MAX_LENGTH = 100
# More words than this add nothing but work: the rest of a long query is ignored.
QUERY_MAX_TERMS = 8
SQLITE_LOWER = "unicode_lower"


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _register_sqlite_lower(raw_connection) -> None:
    raw_connection.create_function(SQLITE_LOWER, 1, _unicode_lower, deterministic=True)


def _on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        _register_sqlite_lower(connection.connection)


connection_created.connect(_on_connection_created, dispatch_uid="shop.core.search.unicode_lower")


class UnicodeLower(Func):
    """LOWER() that folds every script's case: Python's `str.lower` on SQLite."""

    function = "LOWER"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        # A connection opened before this module was imported missed connection_created.
        connection.ensure_connection()
        _register_sqlite_lower(connection.connection)
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra_context)


def search_query_clean(raw: str) -> tuple[str, bool]:
    """The query as typed, without control characters (NUL included) and extra spaces, cut
    to QUERY_MAX_LENGTH characters; and whether it had to be cut."""
    text = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in raw)
    text = " ".join(text.split())
    shortened = len(text) > QUERY_MAX_LENGTH
    return text[:QUERY_MAX_LENGTH].strip(), shortened


def search_terms(query: str) -> list[str]:
    """The query's words, lowered, each once, in order: punctuation never reaches SQL."""
    terms = dict.fromkeys(re.findall(r"\w+", query.lower()))
    return list(terms)[:QUERY_MAX_TERMS]


def _product_has_term(term: str) -> Q:
    translated = (
        ProductTranslation.objects.filter(product=OuterRef("pk"))
        .alias(
            search_title=UnicodeLower("title"),
            search_description=UnicodeLower("description"),
        )
        .filter(Q(search_title__contains=term) | Q(search_description__contains=term))
    )
    return (
        Q(search_title__contains=term)
        | Q(search_description__contains=term)
        | Q(Exists(translated))
    )


def product_search_queryset(terms: list[str]):
    """Public parent and standalone products holding every term, in any language, with what
    a result shows (price, facts, translations) prefetched."""
    if not terms:
        return catalogue_product_cards_queryset().none()
    return products_matching(catalogue_product_cards_queryset(), terms)


def products_matching(queryset, terms: list[str]):
    """`queryset` (of products) narrowed to those holding every term in their title or
    description, in any language and any case."""
    return queryset.alias(
        search_title=UnicodeLower("title"),
        search_description=UnicodeLower("description"),
    ).filter(reduce(and_, (_product_has_term(term) for term in terms)))


# Han ideographs, kana and their compatibility forms.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _active_locale():
    """The current language's locale, or None when it has no pages (no fallback to Russian:
    a page in another language is not a result)."""
    try:
        return Locale.objects.get_for_language(get_language())
    except (Locale.DoesNotExist, LookupError):
        return None


def page_search_results(terms: list[str]):
    """Live public pages of the current language holding every term, best match first."""
    locale = _active_locale()
    if not terms or locale is None:
        return Page.objects.none()
    pages = Page.objects.live().public().filter(locale=locale, depth__gt=1)  # 1: the root
    if any(CJK.search(term) for term in terms):
        # Full-text search (FTS5, tsvector) takes a run of Chinese characters as one word, so
        # "联系" would not find "联系我们": match titles and descriptions by substring instead.
        matches = (Q(title__contains=term) | Q(search_description__contains=term) for term in terms)
        return pages.filter(reduce(and_, matches)).order_by("path").specific()
    return pages.specific().search(" ".join(terms), operator="and")


class SearchResults:
    """Products, then pages, as one sequence a paginator can slice: each slice fetches only
    the rows it shows, with two counts in all."""

    def __init__(self, products, pages):
        self.products = products
        self.pages = pages

    @cached_property
    def product_count(self) -> int:
        return self.products.count()

    @cached_property
    def page_count(self) -> int:
        return self.pages.count()

    def count(self) -> int:
        return self.product_count + self.page_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        split = self.product_count
        hits = []
        if start < split:
            hits += [("product", product) for product in self.products[start : min(stop, split)]]
        if stop > split:
            hits += [("page", page) for page in self.pages[max(start - split, 0) : stop - split]]
        return hits


class SiteSearchView(ListView):
    """/search/?q=...: products and pages. A bad page number is a 404, as in the catalogue."""

    template_name = "core/search.html"
    context_object_name = "results"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.query, self.shortened = search_query_clean(request.GET.get("q", ""))
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_queryset(self):
        if not self.query:
            return []
        terms = search_terms(self.query)
        return SearchResults(product_search_queryset(terms), page_search_results(terms))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hits = context["object_list"]
        context.update(
            search_query=self.query,
            search_shortened=self.shortened,
            search_max_length=QUERY_MAX_LENGTH,
            found_products=[found for kind, found in hits if kind == "product"],
            found_pages=[found for kind, found in hits if kind == "page"],
        )
        return context


def oscar_search_redirect(request):
    """Oscar's own /shop/search/ (haystack, which finds nothing here) leads to ours."""
    query, _shortened = search_query_clean(request.GET.get("q", ""))
    url = reverse("site-search")
    if query:
        url = f"{url}?{urlencode({'q': query})}"
    return HttpResponsePermanentRedirect(url)
