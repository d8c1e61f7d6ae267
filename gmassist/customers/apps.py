from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "gmassist.customers"
    label = "customers"
    verbose_name = _("Group customers")

    def ready(self) -> None:
        from gmassist.core.presenters import register_audit_value
        from gmassist.customers.presenters import audited_industry

        # a customer's history names the industry, not its id
        register_audit_value("customers.groupcustomer", "industry", audited_industry)
