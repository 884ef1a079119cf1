from clientbase import app_config


class ContactsConfig(app_config.App):
    name = "clientbase.contacts"
    label = "contacts"
    verbose_name = "Contacts"
