"""Database triggers for the rules a CHECK constraint cannot state because they span rows:
a contact's locations and line manager belong to the contact's customer, and no reporting cycle.
The messages are matched by clientbase.errors.TRIGGER_MESSAGES.

SQLite rebuilds a table for most schema changes, and a rebuild fails while triggers name the
table. A migration that changes contacts_contact, contacts_contactlocation or customers_location
therefore starts with `drop_triggers()` and ends with `create_triggers()`:

    operations = [drop_triggers(), migrations.AddField(...), create_triggers()]
"""

from django.db import migrations

SQLITE = [
    # A location link must join a contact and a location of the same customer.
    """
    CREATE TRIGGER contacts_contactlocation_same_customer_ins
    BEFORE INSERT ON contacts_contactlocation
    WHEN (SELECT customer_id FROM customers_location WHERE id = NEW.location_id)
         IS NOT (SELECT customer_id FROM contacts_contact WHERE id = NEW.contact_id)
    BEGIN SELECT RAISE(ABORT, 'location belongs to another customer'); END
    """,
    """
    CREATE TRIGGER contacts_contactlocation_same_customer_upd
    BEFORE UPDATE ON contacts_contactlocation
    WHEN (SELECT customer_id FROM customers_location WHERE id = NEW.location_id)
         IS NOT (SELECT customer_id FROM contacts_contact WHERE id = NEW.contact_id)
    BEGIN SELECT RAISE(ABORT, 'location belongs to another customer'); END
    """,
    # A contact moving to another customer may not keep locations of the old one.
    """
    CREATE TRIGGER contacts_contact_customer_keeps_locations
    BEFORE UPDATE OF customer_id ON contacts_contact
    WHEN EXISTS (SELECT 1 FROM contacts_contactlocation cl
                 JOIN customers_location l ON l.id = cl.location_id
                 WHERE cl.contact_id = NEW.id AND l.customer_id IS NOT NEW.customer_id)
    BEGIN SELECT RAISE(ABORT, 'location belongs to another customer'); END
    """,
    # ... nor direct reports of the old one.
    """
    CREATE TRIGGER contacts_contact_customer_keeps_reports
    BEFORE UPDATE OF customer_id ON contacts_contact
    WHEN EXISTS (SELECT 1 FROM contacts_contact r
                 WHERE r.reports_to_id = NEW.id AND r.customer_id IS NOT NEW.customer_id)
    BEGIN SELECT RAISE(ABORT, 'contact still reports to this contact from another customer'); END
    """,
    # A location moving to another customer may not keep contacts of the old one.
    """
    CREATE TRIGGER customers_location_customer_keeps_contacts
    BEFORE UPDATE OF customer_id ON customers_location
    WHEN EXISTS (SELECT 1 FROM contacts_contactlocation cl
                 JOIN contacts_contact c ON c.id = cl.contact_id
                 WHERE cl.location_id = NEW.id AND c.customer_id IS NOT NEW.customer_id)
    BEGIN SELECT RAISE(ABORT, 'location belongs to another customer'); END
    """,
    # The line manager belongs to the same customer.
    """
    CREATE TRIGGER contacts_contact_manager_same_customer_ins
    BEFORE INSERT ON contacts_contact
    WHEN NEW.reports_to_id IS NOT NULL
     AND (SELECT customer_id FROM contacts_contact WHERE id = NEW.reports_to_id) IS NOT NEW.customer_id
    BEGIN SELECT RAISE(ABORT, 'reports_to belongs to another customer'); END
    """,
    """
    CREATE TRIGGER contacts_contact_manager_same_customer_upd
    BEFORE UPDATE OF reports_to_id, customer_id ON contacts_contact
    WHEN NEW.reports_to_id IS NOT NULL
     AND (SELECT customer_id FROM contacts_contact WHERE id = NEW.reports_to_id) IS NOT NEW.customer_id
    BEGIN SELECT RAISE(ABORT, 'reports_to belongs to another customer'); END
    """,
    # No cycle: walking up from the new manager must never reach this contact.
    """
    CREATE TRIGGER contacts_contact_manager_no_cycle
    BEFORE UPDATE OF reports_to_id ON contacts_contact
    WHEN NEW.reports_to_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE chain(id) AS (
            SELECT NEW.reports_to_id
            UNION
            SELECT c.reports_to_id FROM contacts_contact c JOIN chain ON c.id = chain.id
            WHERE c.reports_to_id IS NOT NULL
        )
        SELECT 1 FROM chain WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'reports_to would form a cycle'); END
    """,
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "contacts_contactlocation_same_customer_ins",
        "contacts_contactlocation_same_customer_upd",
        "contacts_contact_customer_keeps_locations",
        "contacts_contact_customer_keeps_reports",
        "customers_location_customer_keeps_contacts",
        "contacts_contact_manager_same_customer_ins",
        "contacts_contact_manager_same_customer_upd",
        "contacts_contact_manager_no_cycle",
    )
]

POSTGRES = [
    """
    CREATE FUNCTION contacts_contactlocation_same_customer() RETURNS trigger AS $$
    BEGIN
        IF (SELECT customer_id FROM customers_location WHERE id = NEW.location_id)
           IS DISTINCT FROM (SELECT customer_id FROM contacts_contact WHERE id = NEW.contact_id) THEN
            RAISE EXCEPTION 'location belongs to another customer' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contacts_contactlocation_same_customer
    BEFORE INSERT OR UPDATE ON contacts_contactlocation
    FOR EACH ROW EXECUTE FUNCTION contacts_contactlocation_same_customer()
    """,
    """
    CREATE FUNCTION contacts_contact_consistency() RETURNS trigger AS $$
    BEGIN
        IF NEW.reports_to_id IS NOT NULL AND
           (SELECT customer_id FROM contacts_contact WHERE id = NEW.reports_to_id)
           IS DISTINCT FROM NEW.customer_id THEN
            RAISE EXCEPTION 'reports_to belongs to another customer' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN
                IF EXISTS (SELECT 1 FROM contacts_contactlocation cl
                           JOIN customers_location l ON l.id = cl.location_id
                           WHERE cl.contact_id = NEW.id
                             AND l.customer_id IS DISTINCT FROM NEW.customer_id) THEN
                    RAISE EXCEPTION 'location belongs to another customer' USING ERRCODE = 'check_violation';
                END IF;
                IF EXISTS (SELECT 1 FROM contacts_contact r
                           WHERE r.reports_to_id = NEW.id
                             AND r.customer_id IS DISTINCT FROM NEW.customer_id) THEN
                    RAISE EXCEPTION 'contact still reports to this contact from another customer'
                        USING ERRCODE = 'check_violation';
                END IF;
            END IF;
            IF NEW.reports_to_id IS NOT NULL AND
               NEW.reports_to_id IS DISTINCT FROM OLD.reports_to_id AND EXISTS (
                WITH RECURSIVE chain(id) AS (
                    SELECT NEW.reports_to_id
                    UNION
                    SELECT c.reports_to_id FROM contacts_contact c JOIN chain ON c.id = chain.id
                    WHERE c.reports_to_id IS NOT NULL
                )
                SELECT 1 FROM chain WHERE chain.id = NEW.id) THEN
                RAISE EXCEPTION 'reports_to would form a cycle' USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contacts_contact_consistency
    BEFORE INSERT OR UPDATE ON contacts_contact
    FOR EACH ROW EXECUTE FUNCTION contacts_contact_consistency()
    """,
    """
    CREATE FUNCTION customers_location_customer_keeps_contacts() RETURNS trigger AS $$
    BEGIN
        IF NEW.customer_id IS DISTINCT FROM OLD.customer_id AND EXISTS (
            SELECT 1 FROM contacts_contactlocation cl JOIN contacts_contact c ON c.id = cl.contact_id
            WHERE cl.location_id = NEW.id AND c.customer_id IS DISTINCT FROM NEW.customer_id) THEN
            RAISE EXCEPTION 'location belongs to another customer' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER customers_location_customer_keeps_contacts
    BEFORE UPDATE ON customers_location
    FOR EACH ROW EXECUTE FUNCTION customers_location_customer_keeps_contacts()
    """,
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS customers_location_customer_keeps_contacts ON customers_location",
    "DROP FUNCTION IF EXISTS customers_location_customer_keeps_contacts()",
    "DROP TRIGGER IF EXISTS contacts_contact_consistency ON contacts_contact",
    "DROP FUNCTION IF EXISTS contacts_contact_consistency()",
    "DROP TRIGGER IF EXISTS contacts_contactlocation_same_customer ON contacts_contactlocation",
    "DROP FUNCTION IF EXISTS contacts_contactlocation_same_customer()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No consistency triggers for {schema_editor.connection.vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


_CREATE = {"sqlite": SQLITE, "postgresql": POSTGRES}
_DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def create_triggers() -> migrations.RunPython:
    return migrations.RunPython(_run(_CREATE), _run(_DROP))


def drop_triggers() -> migrations.RunPython:
    return migrations.RunPython(_run(_DROP), _run(_CREATE))
