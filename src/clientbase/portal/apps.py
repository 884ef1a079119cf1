from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: portal accounts, invitations, sign-in and the portal's pages. The rules
    stay in the apps that own the data (contacts, workorders); the portal calls their services."""

    name = "clientbase.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from clientbase.contacts.signals import contact_moving
        from clientbase.portal import mail
        from clientbase.portal.services.accounts import end_access_of_moving_contact

        mail.register_mail_events()
        from clientbase.contacts.privacy import register_source
        from clientbase.portal.privacy import SOURCE as PRIVACY_SOURCE

        register_source(PRIVACY_SOURCE)
        contact_moving.connect(end_access_of_moving_contact, dispatch_uid="portal-ends-access-on-move")
