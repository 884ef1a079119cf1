from django.apps import AppConfig


class ClientbaseConfig(AppConfig):
    """The project package itself: management commands, shared API plumbing, templates."""

    name = "clientbase"
    verbose_name = "clientbase"
