"""Database triggers for the rule a CHECK constraint cannot state because it spans rows: a contract
covers locations and assets of its own customer only. Checked when a link is written, when a
contract's customer changes, when a covered location moves to another customer and when a covered
asset moves to a location of another customer. The messages are worded by
`clientbase.contracts.services.CONSISTENCY_MESSAGES` (registered with `clientbase.errors`).

SQLite rebuilds a table for most schema changes, and a rebuild fails while triggers name the table:
a later migration that rebuilds contracts_contract, its link tables, customers_location or
customers_asset starts with `clientbase.sqlite_rebuild.set_triggers_aside()` and ends with
`restore_triggers()`."""

from __future__ import annotations

from typing import Any

from django.db import migrations

LOCATION_ELSEWHERE = "contract location belongs to another customer"
ASSET_ELSEWHERE = "contract asset belongs to another customer"
COVERS_ELSEWHERE = "contract covers sites of another customer"

# The customer of a location, of an asset, of a contract.
_LOCATION_CUSTOMER = "(SELECT customer_id FROM customers_location WHERE id = {location})"
_ASSET_CUSTOMER = (
    "(SELECT l.customer_id FROM customers_asset a JOIN customers_location l ON l.id = a.location_id "
    "WHERE a.id = {asset})"
)
_CONTRACT_CUSTOMER = "(SELECT customer_id FROM contracts_contract WHERE id = {contract})"

# A contract (NEW) with a covered location or asset of another customer than its own.
_CONTRACT_COVERS_ELSEWHERE = """EXISTS (
        SELECT 1 FROM contracts_contractlocation cl JOIN customers_location l ON l.id = cl.location_id
        WHERE cl.contract_id = NEW.id AND l.customer_id {distinct} NEW.customer_id)
     OR EXISTS (
        SELECT 1 FROM contracts_contractasset ca JOIN customers_asset a ON a.id = ca.asset_id
        JOIN customers_location l ON l.id = a.location_id
        WHERE ca.contract_id = NEW.id AND l.customer_id {distinct} NEW.customer_id)"""
# A location (NEW) covered, itself or through an asset standing there, by a contract of another
# customer than its own.
_LOCATION_COVERED_ELSEWHERE = """EXISTS (
        SELECT 1 FROM contracts_contractlocation cl JOIN contracts_contract c ON c.id = cl.contract_id
        WHERE cl.location_id = NEW.id AND c.customer_id {distinct} NEW.customer_id)
     OR EXISTS (
        SELECT 1 FROM customers_asset a JOIN contracts_contractasset ca ON ca.asset_id = a.id
        JOIN contracts_contract c ON c.id = ca.contract_id
        WHERE a.location_id = NEW.id AND c.customer_id {distinct} NEW.customer_id)"""
# An asset (NEW) covered by a contract of another customer than its (new) location's.
_ASSET_COVERED_ELSEWHERE = """EXISTS (
        SELECT 1 FROM contracts_contractasset ca JOIN contracts_contract c ON c.id = ca.contract_id
        WHERE ca.asset_id = NEW.id
          AND c.customer_id {distinct}
              (SELECT customer_id FROM customers_location WHERE id = NEW.location_id))"""


def _link_rules(distinct: str) -> list[tuple[str, str, str, str]]:
    """(table, condition on NEW that breaks the rule, message, columns of an UPDATE that re-check)."""
    return [
        (
            "contracts_contractlocation",
            f"{_LOCATION_CUSTOMER.format(location='NEW.location_id')} {distinct} "
            f"{_CONTRACT_CUSTOMER.format(contract='NEW.contract_id')}",
            LOCATION_ELSEWHERE,
            "contract_id, location_id",
        ),
        (
            "contracts_contractasset",
            f"{_ASSET_CUSTOMER.format(asset='NEW.asset_id')} {distinct} "
            f"{_CONTRACT_CUSTOMER.format(contract='NEW.contract_id')}",
            ASSET_ELSEWHERE,
            "contract_id, asset_id",
        ),
    ]


# (trigger name, table, column whose update re-checks, condition on NEW, message)
def _move_rules(distinct: str) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            "contracts_contract_customer_keeps_coverage",
            "contracts_contract",
            "customer_id",
            _CONTRACT_COVERS_ELSEWHERE.format(distinct=distinct),
            COVERS_ELSEWHERE,
        ),
        (
            "customers_location_customer_keeps_contracts",
            "customers_location",
            "customer_id",
            _LOCATION_COVERED_ELSEWHERE.format(distinct=distinct),
            COVERS_ELSEWHERE,
        ),
        (
            "customers_asset_location_keeps_contracts",
            "customers_asset",
            "location_id",
            _ASSET_COVERED_ELSEWHERE.format(distinct=distinct),
            COVERS_ELSEWHERE,
        ),
    ]


def _sqlite() -> list[str]:
    statements = []
    for table, broken, message, columns in _link_rules("IS NOT"):
        for event, suffix in ((f"INSERT ON {table}", "ins"), (f"UPDATE OF {columns} ON {table}", "upd")):
            statements.append(
                f"CREATE TRIGGER {table}_same_customer_{suffix} BEFORE {event} "
                f"WHEN {broken} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    for name, table, column, broken, message in _move_rules("IS NOT"):
        statements.append(
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} "
            f"WHEN NEW.{column} IS NOT OLD.{column} AND ({broken}) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


def _sqlite_drop() -> list[str]:
    names = [
        f"{table}_same_customer_{suffix}" for table, *_ in _link_rules("IS NOT") for suffix in ("ins", "upd")
    ]
    names += [name for name, *_ in _move_rules("IS NOT")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _refuse(message: str) -> str:
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';"


def _postgres() -> list[str]:
    statements = []
    for table, broken, message, _columns in _link_rules("IS DISTINCT FROM"):
        statements.append(
            f"CREATE FUNCTION {table}_same_customer() RETURNS trigger AS $$\n"
            f"    BEGIN\n        IF {broken} THEN {_refuse(message)} END IF;\n"
            "        RETURN NEW;\n    END $$ LANGUAGE plpgsql"
        )
        statements.append(
            f"CREATE TRIGGER {table}_same_customer BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_same_customer()"
        )
    for name, table, column, broken, message in _move_rules("IS DISTINCT FROM"):
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger AS $$\n"
            f"    BEGIN\n        IF NEW.{column} IS DISTINCT FROM OLD.{column} AND ({broken}) THEN "
            f"{_refuse(message)} END IF;\n        RETURN NEW;\n    END $$ LANGUAGE plpgsql"
        )
        statements.append(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    return statements


def _postgres_drop() -> list[str]:
    statements = []
    for table, *_ in _link_rules("IS DISTINCT FROM"):
        statements.append(f"DROP TRIGGER IF EXISTS {table}_same_customer ON {table}")
        statements.append(f"DROP FUNCTION IF EXISTS {table}_same_customer()")
    for name, table, *_ in _move_rules("IS DISTINCT FROM"):
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements


def _run(statements_by_vendor: dict[str, Any]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        make = statements_by_vendor.get(schema_editor.connection.vendor)
        if make is None:
            raise RuntimeError(f"No contract triggers for {schema_editor.connection.vendor}.")
        for statement in make():
            schema_editor.execute(statement)

    return run


_CREATE = {"sqlite": _sqlite, "postgresql": _postgres}
_DROP = {"sqlite": _sqlite_drop, "postgresql": _postgres_drop}


def create_triggers() -> migrations.RunPython:
    return migrations.RunPython(_run(_CREATE), _run(_DROP))


def drop_triggers() -> migrations.RunPython:
    return migrations.RunPython(_run(_DROP), _run(_CREATE))
