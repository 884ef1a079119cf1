from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "clientbase.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from clientbase import access
        from clientbase.customers.policies import POLICIES

        access.register(*POLICIES)
