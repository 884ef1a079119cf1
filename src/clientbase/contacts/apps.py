from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "clientbase.contacts"
    label = "contacts"
    verbose_name = "Contacts"
