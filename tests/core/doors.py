"""What the resolver-walking tests share: a site built with the demo loader (accounts,
catalogue, pages, periods, a rubric, and the demo orders paid through the session's
localstripe), every routed URL made concrete with real ids, and a fingerprint of every table.

A route is walked from its pattern: each parameter gets a real value by its name (`VALUES`;
"pk" by the view's model where it has one), so a new route needs no entry here unless its
parameter names are new, and then the walk says which.
"""

import hashlib
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from oscar.core.loading import get_model

from shop.core.access import area_for, route_key

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Partner = get_model("partner", "Partner")
Category = get_model("catalogue", "Category")
OrderNote = get_model("order", "OrderNote")
UserAddress = get_model("address", "UserAddress")

ROLES = ["anonymous", "customer", "student", "teacher", "superuser"]
EMAILS = {
    "customer": "olga@demo.example",
    "student": "student1@example.com",
    "teacher": "teacher@example.com",
    "superuser": "admin@example.com",
}

# Tables a GET may write, and why they do not count as state:
UNCOUNTED_TABLES = {
    # The visitor's own session (checkout progress, messages, language): theirs, not the site's.
    "django_session",
    # Caches of generated files: a resized image made on first view, kept to serve it again.
    "thumbnail_kvstore",
    "wagtailimages_rendition",
    # Wagtail's editor presence: who has an edit form open now (it expires by itself).
    "wagtailadmin_editingsession",
    # An editor's comment-notification setting for a page, made (off) the first time they
    # open its edit form.
    "wagtailcore_pagesubscription",
}


@dataclass
class Route:
    key: str
    route: str
    view_class: type | None


def routes() -> list[Route]:
    """Every route the site has, in the Russian (unprefixed) address space."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                space = namespace
                if pattern.namespace:
                    space = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = route
                found.append(Route(key, route, getattr(pattern.callback, "view_class", None)))

    walk(get_resolver().url_patterns, "", "")
    return found


def _groups(route: str):
    """(start, end, name) of each regex group "(?P<name>…)" in a route, nested parentheses
    included, and of unnamed top-level groups (name None)."""
    index = 0
    while index < len(route):
        if route[index] == "(" and (index == 0 or route[index - 1] != "\\"):
            start = index
            depth = 0
            while index < len(route):
                if route[index] == "\\":
                    index += 2
                    continue
                depth += {"(": 1, ")": -1}.get(route[index], 0)
                if depth == 0:
                    break
                index += 1
            named = re.match(r"\(\?P<(\w+)>", route[start:])
            yield start, index + 1, named[1] if named else None
        index += 1


def concrete(route: str, value) -> str:
    """The route as an address, each parameter replaced by value(name)."""
    path = re.sub(r"(?<!\?P)<(?:\w+:)?(\w+)>", lambda m: str(value(m[1])), route)
    out, last = [], 0
    for start, end, name in _groups(path):
        if start < last:
            continue
        out.append(path[last:start])
        out.append(str(value(name)) if name else "")
        last = end
    out.append(path[last:])
    path = "".join(out).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


class World:
    """The demo site and the ids its routes are walked with."""

    def __init__(self):
        from wagtail.images import get_image_model
        from wagtail.models import Collection, Page, Revision

        from shop.bookings.models import Departure, Ticket
        from shop.bookings.ticket_documents import ticket_token
        from shop.feedback.services import feedback_token
        from shop.teaching.models import Period, Rubric

        users = get_user_model().objects
        self.users = {role: users.get(email=email) for role, email in EMAILS.items()}
        self.users["anonymous"] = None
        self.other_student = users.get(email="student2@example.com")
        self.order = Order.objects.filter(lines__product__departure__isnull=False).first()
        self.ticket = Ticket.objects.filter(order=self.order).first()
        self.departure = Departure.objects.filter(tickets__isnull=False).first()
        self.product = Product.objects.filter(product_class__slug="gingerbread").first()
        self.category = Category.objects.first()
        self.partner = Partner.objects.first()
        self.customer_order = Order.objects.filter(user=self.users["customer"]).first()
        note = OrderNote.objects.create(order=self.order, message="Позвонить")
        self.page = Page.objects.filter(depth=3).live().first()
        self.image = get_image_model().objects.first()
        self.revision = Revision.objects.filter(object_id=str(self.page.pk)).first()
        self.values = {
            "number": self.order.number,
            "order_number": self.customer_order.number,
            # A payment attempt (the SBP page and its check answer 404 outside its browser).
            "attempt": self.order.payment_attempt.pk,
            "line_id": self.customer_order.lines.first().pk,
            "note_id": note.pk,
            "product_pk": self.product.pk,
            "parent_pk": self.product.pk,
            "partner_pk": self.partner.pk,
            "user_pk": self.users["customer"].pk,
            "departure_pk": self.departure.pk,
            "product_slug": self.product.slug,
            "category_slug": self.category.slug,
            "product_class_slug": self.product.product_class.slug,
            "slug": "x",
            "key": "nothing-here",
            "to_key": "nothing-here",
            "action": "default_for_shipping",
            "uidb64": "MQ",
            "page_id": self.page.pk,
            "parent_page_id": self.page.pk,
            "page_to_move_id": self.page.pk,
            "destination_id": self.page.get_parent().pk,
            "content_type_app_name": "cms",
            "content_type_model_name": "contentpage",
            "app_label": "cms",
            "model_name": "navigationsettings",
            "app_name": "cms",
            "image_id": self.image.pk,
            "filter_spec": "max-165x165",
            "revision_id": self.revision.pk,
            "revision_id_a": "earliest",
            "revision_id_b": "latest",
            "collection_id": Collection.get_first_root_node().pk,
            "action_name": "approve",
            "path": "nothing-here.png",
            "email_id": 1,
            # Ids of things the demo has none of: the route is walked, the view says 404.
            "task_state_id": 1,
            "task_id": 1,
            "session_id": 1,
            "workflow_state_id": 1,
            "workflow_pk": 1,
            "uploaded_file_id": 1,
            "document_id": 1,
            "doc_id": 1,
            "redirect_id": 1,
            "restriction_id": 1,
            "page_view_restriction_id": 1,
            "method_pk": 1,
            "line_pk": 1,
            "object_id": "1",
            "parent": self.category.pk,
            "page_pk": self.page.pk,
            "hash": "nothing-here",
            "code": self.ticket.code,
            "change": 1,  # a move waiting for payment: none in the demo, the view says 404
            "departure": self.departure.pk,  # no date offered instead of a refund: a 404
        }
        self.pk_by_key = {
            "team:manifest": self.departure.pk,
            "team:portfolio": self.other_student.pk,
            "team:assess": self.other_student.pk,
            "team:rubric": Rubric.objects.first().pk,
            "team:period": Period.objects.first().pk,
            "bookings:book": self.departure.tour_id,
            "bookings:waitlist": self.departure.tour_id,
            "bookings-dashboard:tour-detail": self.departure.tour_id,
            "bookings-dashboard:tour-schedule": self.departure.tour_id,
            "bookings-dashboard:departure-edit": self.departure.tour_id,
            "bookings-dashboard:departure-close": self.departure.tour_id,
            "bookings-dashboard:departure-reopen": self.departure.tour_id,
            "bookings-dashboard:departure-cancel": self.departure.tour_id,
            "bookings-dashboard:departure-add": self.departure.tour_id,
            "bookings-dashboard:departure-decide": self.departure.tour_id,
            "catalogue:detail": self.product.pk,
            "catalogue:category": self.category.pk,
        }
        self.tokens = {
            "customercare:order-status": self.order.verification_hash(),
            "customercare:booking-cancel": self.order.verification_hash(),
            "customercare:booking-move": self.order.verification_hash(),
            "customercare:booking-pay": self.order.verification_hash(),
            "customercare:booking-pay-card": self.order.verification_hash(),
            "customercare:booking-pay-yookassa": self.order.verification_hash(),
            "customercare:rebook": self.order.verification_hash(),
            "customercare:ticket": ticket_token(self.ticket),
            "customercare:ticket-calendar": ticket_token(self.ticket),
            "customercare:ticket-image": ticket_token(self.ticket),
            "feedback:give": feedback_token(self.ticket),
        }

    def url(self, route: Route) -> str | None:
        """A real address for the route, or None when it cannot be made (then the reason is
        in `UNWALKABLE`)."""
        if route.key in UNWALKABLE:
            return None
        if route.key in FIXED:
            return FIXED[route.key]

        def value(name):
            if name == "pk" and route.key in self.pk_by_key:
                return self.pk_by_key[route.key]
            if name == "pk":
                model = getattr(route.view_class, "model", None)
                is_model = isinstance(model, type) and issubclass(model, Model)
                row = model._default_manager.order_by("pk").first() if is_model else None
                return row.pk if row is not None else 1
            if name == "token":
                return self.tokens.get(route.key, "nothing-here")
            if name not in self.values:
                raise KeyError(
                    f"{route.key}: no sample value for the parameter {name!r}: add one to "
                    "World.values in tests/core/doors.py"
                )
            return self.values[name]

        url = concrete(route.route, value)
        try:
            match = resolve(url)
        except Resolver404:
            raise AssertionError(f"{route.key}: {url} does not resolve") from None
        if route_key(match) != route.key and area_for(route.key, route.route) is not None:
            return None  # shadowed by a route of ours at the same address, walked on its own
        return url

    def pages(self, *, every: bool = True) -> list[str]:
        """Every live page, or (every=False) the first of each kind: what a page does with a
        visitor (who may see it, what a POST does, the header's links for their role) is its
        kind's code; its text and blocks are walked by the visitor who sees every page."""
        from wagtail.models import Page

        pages = Page.objects.live().filter(depth__gte=2).order_by("path").specific()
        if every:
            return [page.url for page in pages]
        kinds = {}
        for page in pages:
            kinds.setdefault(type(page), page.url)
        return list(kinds.values())


# Routes whose pattern has unnamed groups: an address of each.
FIXED = {
    "wagtail_serve": "/",  # and every live page, see World.pages()
    "wagtaildocs_serve": "/documents/1/nothing-here.pdf",
}

# Routes that cannot be requested as an address of their own.
UNWALKABLE = {
    # Wagtail admin's catch-all 404 ("cms/<anything>/"): walked as /cms/nothing-here/.
    "cms/^.*/$",
}


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table (but UNCOUNTED_TABLES)."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in UNCOUNTED_TABLES or model._meta.proxy or not model._meta.managed:
                continue
            if table in digests:
                continue
            columns = ", ".join(
                connection.ops.quote_name(field.column)
                for field in model._meta.local_concrete_fields
            )
            cursor.execute(
                f"SELECT {columns} FROM {connection.ops.quote_name(table)} ORDER BY 1"  # noqa: S608
            )
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


class WriteWatcher:
    """Collects the SQL that writes (INSERT, UPDATE, DELETE) while it is installed."""

    WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)

    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        match = self.WRITE.match(sql)
        if match and match[2] not in UNCOUNTED_TABLES:
            self.writes.append(f"{match[1].split()[0].upper()} {match[2]}")
        return execute(sql, params, many, context)
