from clientbase import app_config


class PortalConfig(app_config.App):
    """The customer portal: portal accounts, invitations, sign-in and the portal's pages. The rules
    stay in the apps that own the data (contacts, workorders); the portal calls their services."""

    name = "clientbase.portal"
    label = "portal"
    verbose_name = "Customer portal"
