"""The `--user USERNAME` option of commands: act as that user, with their permissions."""

from __future__ import annotations

from django.core.management.base import CommandError

from gmassist.core.models import User
from gmassist.core.permissions import SYSTEM, SystemActor


def user_by_username(username: str | None) -> User | SystemActor:
    """The active user named `username`; `SYSTEM` (whoever has shell access acts as the
    application itself) when no name is given."""
    if not username:
        return SYSTEM
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r} (see `gmassist users list`)")
    return user
