"""The `--user USERNAME` option of commands: act as that user, with their permissions."""

from __future__ import annotations

from django.core.management.base import CommandError

from gmassist.core.models import User


def user_by_username(username: str | None) -> User | None:
    """The active user named `username`; None (the system) when no name is given."""
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r} (see `gmassist users list`)")
    return user
