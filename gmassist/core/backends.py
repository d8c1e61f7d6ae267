"""Authentication backend: Django's, loading the user's employee record with the user."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from gmassist.core.models import User


class UserWithEmployeeBackend(ModelBackend):
    """Every page shows the user by their employee name: one query instead of two."""

    def get_user(self, user_id: int) -> User | None:
        user = (
            User._default_manager.select_related("employee")
            .defer("employee__base_pay", "employee__custom")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
