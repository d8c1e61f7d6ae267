from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "gmassist.customers"
    label = "customers"
    verbose_name = _("Group customers")

    def ready(self) -> None:
        from gmassist.core.notes import register_noted_record
        from gmassist.core.presenters import register_audit_value
        from gmassist.customers.models import GroupCustomer
        from gmassist.customers.presenters import audited_industry
        from gmassist.customers.selectors import customer_history_readable

        # a customer's history names the industry, not its id
        register_audit_value("customers.groupcustomer", "industry", audited_industry)
        # a customer takes notes and files, read and added by who reads its history (who sees
        # the customer); a customer's files hold no one's pay, so none is under the pay rule
        register_noted_record(
            GroupCustomer,
            may_read=lambda user, customer: customer_history_readable(user=user, customer=customer),
            may_read_pay=lambda _user, _customer: False,
            pay_subject=lambda _customer: "",
        )
