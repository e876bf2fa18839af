"""A signed-in person's permissions, read from the cache instead of two queries per request.

Django's ModelBackend reads a user's own and their groups' permissions once per request (two
queries), and every page of a signed-in person asks (the access table for /team/, Wagtail's
user bar, the dashboard links). The sets are kept in the cache under a version that changes
whenever any permission can change: a user put in or taken out of a group, a permission given
to or taken from a user or a group, a group or permission saved or deleted. The version
changes at once and again when the transaction commits, as the storefront's versions do
(shop/core/freshness.py), so a permission taken away is refused on the very next request.
Whether the user is active or a superuser is read from the user's own row, fresh every
request, as before.
"""

import uuid

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "permissions:version"
USER_KEY = "permissions:user:"


def _new() -> str:
    return uuid.uuid4().hex[:12]


def permissions_changed(**kwargs) -> None:
    def bump():
        cache.set(VERSION_KEY, _new(), None)

    bump()
    transaction.on_commit(bump)


def permissions_prime(user) -> None:
    """Put the user's permission sets where ModelBackend looks for them first, from the
    cache when they are as current as the version, from the database otherwise."""
    if not user.is_authenticated or not user.is_active:
        return  # ModelBackend answers without queries
    key = f"{USER_KEY}{user.pk}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new(), None)
        version = cache.get(VERSION_KEY)
    entry = found.get(key)
    if version is not None and entry is not None and entry[:2] == (version, user.is_superuser):
        user._user_perm_cache, user._group_perm_cache = entry[2], entry[3]
        return
    backend = ModelBackend()
    own, groups = backend.get_user_permissions(user), backend.get_group_permissions(user)
    if version is not None:  # None: the cache cannot be reached
        cache.set(key, (version, user.is_superuser, own, groups), 60 * 60)


class PermissionCacheMiddleware:
    """After AuthenticationMiddleware: see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        permissions_prime(request.user)
        return self.get_response(request)


def connect_permission_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()  # noqa: N806
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            permissions_changed,
            sender=through,
            dispatch_uid=f"permissions-{through._meta.label_lower}",
        )
    for model in (Group, Permission):
        uid = f"permissions-{model._meta.label_lower}"
        post_save.connect(permissions_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=uid + "-delete")
