from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "clientbase.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from clientbase import access
        from clientbase.contacts.policies import POLICIES

        access.register(*POLICIES)
