from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: portal accounts, invitations, sign-in and the portal's pages. The rules
    stay in the apps that own the data (contacts, workorders); the portal calls their services."""

    name = "clientbase.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from clientbase.portal import mail

        mail.register_mail_events()
