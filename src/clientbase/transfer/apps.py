from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "clientbase.transfer"
    label = "transfer"
    verbose_name = "Import and export"

    def ready(self) -> None:
        from clientbase.contacts.privacy import register_source
        from clientbase.contacts.views import ContactSection, register_contact_section
        from clientbase.pages import NavItem, register_nav_item
        from clientbase.transfer.privacy import SOURCE as PRIVACY_SOURCE
        from clientbase.transfer.views import contact_export_section

        register_source(PRIVACY_SOURCE)
        register_nav_item(NavItem("imports", "Imports", "transfer:import-list", "transfer.ImportRun"))
        register_contact_section(
            ContactSection(
                key="vcard",
                title="Export",
                template_name="transfer/_partials/contact_export.html",
                context=contact_export_section,
            )
        )
