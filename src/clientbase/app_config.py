"""The AppConfig every clientbase app uses."""

from __future__ import annotations

import importlib

from django.apps import AppConfig


class App(AppConfig):
    """An app of clientbase. Once every app is loaded, its module `registrations` (when it has one)
    registers what the app adds to the shared registries and to the apps below it: its access
    policies, page sections, navigation, signal receivers, the hooks it fills (`register()`). The
    import happens here, by name, so an app's modules never import a higher app's."""

    def ready(self) -> None:
        name = f"{self.name}.registrations"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            return
        module.register()
