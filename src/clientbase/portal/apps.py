from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: portal accounts, invitations, sign-in and the portal's pages. The rules
    stay in the apps that own the data (contacts, workorders); the portal calls their services."""

    name = "clientbase.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from clientbase.contacts import hooks
        from clientbase.contacts.privacy import register_source
        from clientbase.contacts.signals import contact_moving
        from clientbase.portal import mail
        from clientbase.portal.privacy import SOURCE as PRIVACY_SOURCE
        from clientbase.portal.services import accounts

        mail.register_mail_events()
        register_source(PRIVACY_SOURCE)
        contact_moving.connect(
            accounts.end_access_of_moving_contact, dispatch_uid="portal-ends-access-on-move"
        )
        # What a saved or deleted contact means to the portal (its login, mails, last admin rule).
        if accounts.contact_saved not in hooks.after_contact_saved:  # once, should ready() run again
            hooks.after_contact_saved.append(accounts.contact_saved)
            hooks.before_contact_deleted.append(accounts.close_login_of_deleted_contact)
            hooks.after_contact_deleted.append(accounts.keep_an_admin_after_delete)
