"""`gmassist demo-logins`: the demo users and their passwords, for demo companies only."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from rich.table import Table

from gmassist.core.management.output import command_console
from gmassist.core.models import Company, User
from gmassist.org.demo.company import DEMO_USERS


class Command(BaseCommand):
    help = "Show the demo logins (username, password, role, who they are) of the demo company."

    def handle(self, *args, **options) -> None:
        console = command_console(self.stdout)
        company = Company.objects.filter(pk=1).first()
        if company is None or not company.is_demo:
            console.print("This is not a demo company: there are no demo logins to show.")
            return
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=[row[0] for row in DEMO_USERS]
            ).select_related("employee__department", "employee__position")
        }
        table = Table("username", "password", "role", "who", title=f"{company.name}: demo logins")
        for username, password, _role, description in DEMO_USERS:
            user = users.get(username)
            if user is None:
                continue
            employee = user.employee
            who = description
            if employee is not None:
                who = (
                    f"{description}: {employee.full_name} ({employee.employee_no}), "
                    f"{employee.position.title if employee.position else ''}, "
                    f"{employee.department.name}"
                )
            table.add_row(username, password, user.get_role_display(), who)
        if not table.row_count:
            console.print("The demo users have been removed.")
            return
        console.print(table)
