from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "gmassist.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # An employee's record takes notes and files, read by who reads its history; a file
        # that holds pay opens only for who may read the person's pay.
        from gmassist.core.choices import Action
        from gmassist.core.notes import register_noted_record
        from gmassist.core.permissions import user_can
        from gmassist.org.models import Employee
        from gmassist.org.selectors import employee_history_readable

        register_noted_record(
            Employee,
            may_read=lambda user, employee: employee_history_readable(user=user, employee=employee),
            may_read_pay=lambda user, employee: user_can(user, Action.VIEW_PAY, employee),
            pay_subject=lambda employee: employee.employee_no,
        )
