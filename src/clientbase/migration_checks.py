"""Steps of migrations that add a rule existing rows might break: they stop, naming the rows,
instead of cutting or changing what users wrote."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models.functions import Length


def refuse_longer_texts(app_label: str, checked: list[tuple[str, str]], limit: int) -> migrations.RunPython:
    """A migration step that raises RuntimeError, naming up to 20 rows of each `(model, field)` in
    `checked`, when any of them holds more than `limit` characters (so that adding the length
    limit cannot fail half-way or cut text); nothing is changed. Reversing it does nothing."""

    def check(apps: Any, schema_editor: Any) -> None:
        longer: list[str] = []
        for model_name, field in checked:
            model = apps.get_model(app_label, model_name)
            ids = (
                model.objects.annotate(size=Length(field)).filter(size__gt=limit).values_list("pk", flat=True)
            )
            longer += [f"{model_name} {pk} ({field})" for pk in ids[:20]]
        if longer:
            raise RuntimeError(
                f"These texts are longer than {limit:,} characters, the most a field now holds: "
                f"{', '.join(longer)}. Shorten them, then run the migration again; nothing was changed."
            )

    return migrations.RunPython(check, migrations.RunPython.noop)
