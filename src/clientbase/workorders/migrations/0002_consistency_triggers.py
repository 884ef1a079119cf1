"""Database triggers for the rules of work orders, quotes and invoices that span rows.

A work order's location belongs to its customer, its asset stands at its location, and the contacts
it names (requester, site contact) are contacts of its customer; a quote's or invoice's work order
is of the same customer. Each rule is checked when the columns it concerns are written with a new
value, so that a later move of an asset or contact never makes an old work order unchangeable. The
messages are worded by clientbase.workorders.services.CONSISTENCY_MESSAGES."""

from django.db import migrations

WORK_ORDER_RULES = [
    # (condition on NEW that breaks the rule, message, columns whose change re-checks the rule)
    (
        "NEW.location_id IS NOT NULL AND "
        "(SELECT customer_id FROM customers_location WHERE id = NEW.location_id) IS NOT NEW.customer_id",
        "work order location belongs to another customer",
        ("customer_id", "location_id"),
    ),
    (
        "NEW.asset_id IS NOT NULL AND "
        "(SELECT location_id FROM customers_asset WHERE id = NEW.asset_id) IS NOT NEW.location_id",
        "work order asset is not at the work order location",
        ("location_id", "asset_id"),
    ),
    (
        "NEW.requested_by_id IS NOT NULL AND "
        "(SELECT customer_id FROM contacts_contact WHERE id = NEW.requested_by_id) IS NOT NEW.customer_id",
        "work order requester belongs to another customer",
        ("customer_id", "requested_by_id"),
    ),
    (
        "NEW.site_contact_id IS NOT NULL AND "
        "(SELECT customer_id FROM contacts_contact WHERE id = NEW.site_contact_id) IS NOT NEW.customer_id",
        "work order site contact belongs to another customer",
        ("customer_id", "site_contact_id"),
    ),
]

DOCUMENT_RULE = (
    "NEW.work_order_id IS NOT NULL AND "
    "(SELECT customer_id FROM workorders_workorder WHERE id = NEW.work_order_id) IS NOT NEW.customer_id",
    "work order belongs to another customer",
    ("customer_id", "work_order_id"),
)

TABLES = {
    "workorders_workorder": WORK_ORDER_RULES,
    "workorders_quote": [DOCUMENT_RULE],
    "workorders_invoice": [DOCUMENT_RULE],
}


def _changed(columns, distinct):
    return " OR ".join(f"NEW.{column} {distinct} OLD.{column}" for column in columns)


def _sqlite():
    statements = []
    for table, rules in TABLES.items():
        for index, (broken, message, columns) in enumerate(rules):
            statements.append(
                f"CREATE TRIGGER {table}_rule{index}_ins BEFORE INSERT ON {table} "
                f"WHEN {broken} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            statements.append(
                f"CREATE TRIGGER {table}_rule{index}_upd BEFORE UPDATE ON {table} "
                f"WHEN ({_changed(columns, 'IS NOT')}) AND {broken} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    return statements


def _sqlite_drop():
    return [
        f"DROP TRIGGER IF EXISTS {table}_rule{index}_{kind}"
        for table, rules in TABLES.items()
        for index in range(len(rules))
        for kind in ("ins", "upd")
    ]


def _postgres():
    statements = []
    for table, rules in TABLES.items():
        checks = []
        for broken, message, columns in rules:
            pg_broken = broken.replace(" IS NOT ", " IS DISTINCT FROM ")
            refuse = f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';"
            # OLD is only read on UPDATE: PL/pgSQL does not promise to short-circuit OR.
            checks.append(
                f"IF TG_OP = 'INSERT' THEN IF {pg_broken} THEN {refuse} END IF;\n"
                f"        ELSIF {_changed(columns, 'IS DISTINCT FROM')} THEN "
                f"IF {pg_broken} THEN {refuse} END IF;\n        END IF;"
            )
        body = "\n        ".join(checks)
        statements.append(
            f"CREATE FUNCTION {table}_consistency() RETURNS trigger AS $$\n"
            f"    BEGIN\n        {body}\n        RETURN NEW;\n    END $$ LANGUAGE plpgsql"
        )
        statements.append(
            f"CREATE TRIGGER {table}_consistency BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_consistency()"
        )
    return statements


def _postgres_drop():
    statements = []
    for table in TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_consistency ON {table}")
        statements.append(f"DROP FUNCTION IF EXISTS {table}_consistency()")
    return statements


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        make = statements_by_vendor.get(schema_editor.connection.vendor)
        if make is None:
            raise RuntimeError(f"No consistency triggers for {schema_editor.connection.vendor}.")
        for statement in make():
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _sqlite, "postgresql": _postgres}),
            _run({"sqlite": _sqlite_drop, "postgresql": _postgres_drop}),
        )
    ]
