from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "clientbase.customers"
    label = "customers"
    verbose_name = "Customers"
