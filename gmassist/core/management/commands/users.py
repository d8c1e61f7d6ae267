"""`gmassist users`: list logins, add one with a role linked to an employee, change a role."""

from __future__ import annotations

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gmassist.core.choices import Role
from gmassist.core.management.output import command_console
from gmassist.core.models import User
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import user_create, user_set_role


class Command(BaseCommand):
    help = (
        "Manage logins and their roles (gm, assistant, hr, dept_head, account_manager, employee)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("list", help="every login with its role and employee")
        add = sub.add_parser("add", help="add a login; the password is asked for")
        add.add_argument("username")
        add.add_argument("--role", choices=Role.values, required=True)
        add.add_argument("--employee", help="employee number this login belongs to")
        add.add_argument("--email", default="")
        add.add_argument(
            "--password-env",
            help="read the password from this environment variable instead of asking",
        )
        role = sub.add_parser("set-role", help="change a login's role")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)

    def handle(self, *args, action: str | None, **options) -> None:
        console = command_console(self.stdout)
        try:
            if action == "add":
                self._add(console, **options)
            elif action == "set-role":
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    raise CommandError(f"no user {options['username']!r}")
                user_set_role(user=user, role=options["role"], by=SYSTEM)
                console.print(f"{user.username} is now {user.get_role_display()}.")
            else:
                self._list(console)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _add(self, console: Console, *, username: str, role: str, **options) -> None:
        from gmassist.org.models import Employee

        employee = None
        if options.get("employee"):
            employee = Employee.objects.filter(employee_no=options["employee"]).first()
            if employee is None:
                raise CommandError(f"no employee with number {options['employee']!r}")
        if options.get("password_env"):
            password = os.environ.get(options["password_env"], "")
            if not password:
                raise CommandError(f"environment variable {options['password_env']} is empty")
        else:
            password = getpass.getpass(f"Password for {username}: ")
        user = user_create(
            username=username,
            password=password,
            role=role,
            employee=employee,
            email=options.get("email", ""),
            by=SYSTEM,
        )
        console.print(f"Added {user.username} ({user.get_role_display()}).")

    def _list(self, console: Console) -> None:
        table = Table("username", "role", "employee", "active", "last login")
        for user in User.objects.select_related("employee"):
            table.add_row(
                user.username,
                user.get_role_display(),
                str(user.employee or ""),
                "yes" if user.is_active else "no",
                f"{user.last_login:%Y-%m-%d %H:%M}" if user.last_login else "",
            )
        console.print(
            table if table.row_count else "No users yet: `gmassist users add NAME --role gm`."
        )
