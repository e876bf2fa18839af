"""Who sees a dashboard menu entry.

Oscar's default access function only knows the URL names of Oscar's own dashboard apps and
raises KeyError for any other entry (such as "bookings-dashboard:tour-list"), which breaks
every dashboard page. This one asks a view that uses Django's PermissionRequiredMixin for its
own `permission_required`, so the menu and the view cannot disagree, and leaves every other
entry to Oscar. Point settings.OSCAR_DASHBOARD_DEFAULT_ACCESS_FUNCTION here.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import resolve, reverse
from oscar.apps.dashboard.nav import default_access_fn as oscar_access_fn


def dashboard_access_fn(user, url_name, url_args=None, url_kwargs=None):
    if url_name is None:  # a heading: visible when one of its children is
        return True
    match = resolve(reverse(url_name, args=url_args, kwargs=url_kwargs))
    view_class = getattr(match.func, "view_class", None)
    if isinstance(view_class, type) and issubclass(view_class, PermissionRequiredMixin):
        permissions = view_class.permission_required
        if isinstance(permissions, str):
            permissions = (permissions,)
        return bool(user.is_active and user.has_perms(permissions))
    return oscar_access_fn(user, url_name, url_args, url_kwargs)
