from clientbase import app_config


class CustomersConfig(app_config.App):
    name = "clientbase.customers"
    label = "customers"
    verbose_name = "Customers"
