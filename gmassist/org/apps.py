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

        # a leaver's separation type reads as its label in the history
        from gmassist.core.presenters import register_audit_value
        from gmassist.org.choices import SeparationType
        from gmassist.org.models import Employee
        from gmassist.org.selectors import employee_history_readable

        labels = dict(SeparationType.choices)
        register_audit_value(
            "org.employee",
            "separation_type",
            lambda value: (
                [str(labels.get(v, v)) if v else v for v in value]
                if isinstance(value, list)
                else str(labels.get(value, value))
            ),
        )
        register_noted_record(
            Employee,
            may_read=lambda user, employee: employee_history_readable(user=user, employee=employee),
            may_read_pay=lambda user, employee: user_can(user, Action.VIEW_PAY, employee),
            pay_subject=lambda employee: employee.employee_no,
        )
