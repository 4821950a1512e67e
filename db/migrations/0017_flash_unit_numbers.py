"""Flash units carry the sale's unit number (unique per sale, within 1..units_total) and the
subscriber's slot (unique per subscriber, within 1..limit): the database proves "never oversold"
and the limit by itself, without the sale's shared `units_taken` counter row that every win
used to update. The bounds are triggers (a CHECK cannot read the sale's row)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint


class DropColumn(ops.RemoveField):
    """ALTER TABLE … DROP COLUMN on both dialects: SQLite's table rebuild would drop and
    re-create `flash_sale`, which four tables reference."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor.client.execute_query(
                "ALTER TABLE flash_sale DROP COLUMN units_taken"
            )


class AddSlot(ops.AddField):
    """The existing per-subscriber numbers become the slots, and the units are numbered
    1..n within each sale (n = its held and paid units, never more than units_total). On SQLite
    a table's UNIQUE constraint cannot be dropped: the table is rebuilt with the new keys
    (nothing references it), and the constraint operations around this one are skipped there."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        run = state_editor.client.execute_query
        if state_editor.DIALECT == "sqlite":
            for sql in SQLITE_REBUILD:
                await run(sql)
            return
        await run("ALTER TABLE flash_unit ADD COLUMN slot INT NOT NULL DEFAULT 0")
        await run("UPDATE flash_unit SET slot = unit_no")
        await run(f"UPDATE flash_unit SET unit_no = {NUMBERED.format(unit='flash_unit')}")
        await run("ALTER TABLE flash_unit ALTER COLUMN slot DROP DEFAULT")


NUMBERED = (
    "(SELECT COUNT(*) FROM flash_unit AS u WHERE u.sale_id = {unit}.sale_id AND u.id <= {unit}.id)"
)
SQLITE_REBUILD = [
    'CREATE TABLE "flash_unit_new" ('
    '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "unit_no" INT NOT NULL, '
    '"slot" INT NOT NULL, '
    '"reservation_id" CHAR(36) NOT NULL REFERENCES "flash_reservation" ("id") ON DELETE CASCADE, '
    '"sale_id" VARCHAR(40) NOT NULL REFERENCES "flash_sale" ("id") ON DELETE CASCADE, '
    '"subscriber_id" INT NOT NULL REFERENCES "subscriber" ("id") ON DELETE CASCADE, '
    'CONSTRAINT "uid_flash_unit_sale_id_unit_no" UNIQUE ("sale_id", "unit_no"), '
    'CONSTRAINT "uid_flash_unit_sale_id_slot" UNIQUE ("sale_id", "subscriber_id", "slot"))',
    "INSERT INTO flash_unit_new (id, unit_no, slot, reservation_id, sale_id, subscriber_id) "
    f"SELECT id, {NUMBERED.format(unit='f')}, unit_no, reservation_id, sale_id, subscriber_id "
    "FROM flash_unit AS f",
    "DROP TABLE flash_unit",
    "ALTER TABLE flash_unit_new RENAME TO flash_unit",
]


class OnPostgres:
    """The schema change on PostgreSQL only (SQLite's is AddSlot's rebuild)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor and state_editor.DIALECT != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)


class RemoveConstraint(OnPostgres, ops.RemoveConstraint):
    pass


class AddConstraint(OnPostgres, ops.AddConstraint):
    pass


OUTSIDE_SALE = (
    "NEW.unit_no < 1 OR NEW.slot < 1 OR NOT EXISTS (SELECT 1 FROM flash_sale AS s "
    "WHERE s.id = NEW.sale_id AND NEW.unit_no <= s.units_total "
    "AND NEW.slot <= s.per_subscriber_limit)"
)
SALE_BELOW_UNITS = (
    "EXISTS (SELECT 1 FROM flash_unit AS u WHERE u.sale_id = NEW.id "
    "AND (u.unit_no > NEW.units_total OR u.slot > NEW.per_subscriber_limit))"
)
SQLITE = [
    f"CREATE TRIGGER flash_unit_in_sale_insert BEFORE INSERT ON flash_unit WHEN {OUTSIDE_SALE} "
    "BEGIN SELECT RAISE(ABORT, 'flash unit outside its sale'); END",
    "CREATE TRIGGER flash_unit_in_sale_update BEFORE UPDATE OF sale_id, unit_no, slot "
    f"ON flash_unit WHEN {OUTSIDE_SALE} "
    "BEGIN SELECT RAISE(ABORT, 'flash unit outside its sale'); END",
    "CREATE TRIGGER flash_sale_keeps_units BEFORE UPDATE OF units_total, per_subscriber_limit "
    f"ON flash_sale WHEN {SALE_BELOW_UNITS} "
    "BEGIN SELECT RAISE(ABORT, 'flash sale smaller than its units'); END",
]
POSTGRES = [
    "CREATE FUNCTION flash_unit_in_sale() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF {OUTSIDE_SALE} THEN RAISE EXCEPTION 'flash unit outside its sale' "
    "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER flash_unit_in_sale BEFORE INSERT OR UPDATE OF sale_id, unit_no, slot "
    "ON flash_unit FOR EACH ROW EXECUTE FUNCTION flash_unit_in_sale()",
    "CREATE FUNCTION flash_sale_keeps_units() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF {SALE_BELOW_UNITS} THEN RAISE EXCEPTION 'flash sale smaller than its units' "
    "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER flash_sale_keeps_units BEFORE UPDATE OF units_total, per_subscriber_limit "
    "ON flash_sale FOR EACH ROW EXECUTE FUNCTION flash_sale_keeps_units()",
]


async def create_triggers(apps, schema_editor) -> None:
    for sql in SQLITE if schema_editor.DIALECT == "sqlite" else POSTGRES:
        await schema_editor.client.execute_query(sql)


class Migration(migrations.Migration):
    dependencies = [("telehall", "0016_refund_retries")]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name="FlashSale",
            options={
                "table": "flash_sale",
                "app": "telehall",
                "pk_attr": "id",
                "table_description": "What is sold, how many, to whom, when. The units taken are its `FlashUnit` rows.",
            },
        ),
        DropColumn(model_name="FlashSale", name="units_taken"),
        RemoveConstraint(
            model_name="FlashUnit",
            name=None,
            fields=["sale", "subscriber", "unit_no"],
        ),
        ops.AlterModelOptions(
            name="FlashUnit",
            options={
                "table": "flash_unit",
                "app": "telehall",
                "unique_together": (("sale", "unit_no"), ("sale", "subscriber", "slot")),
                "pk_attr": "id",
                "table_description": "One held or paid unit, deleted when its reservation goes back to stock. The sale's unit",
            },
        ),
        AddSlot(
            model_name="FlashUnit",
            name="slot",
            field=fields.IntField(),
        ),
        AddConstraint(
            model_name="FlashUnit",
            constraint=UniqueConstraint(fields=("sale", "unit_no"), name=None),
        ),
        AddConstraint(
            model_name="FlashUnit",
            constraint=UniqueConstraint(fields=("sale", "subscriber", "slot"), name=None),
        ),
        ops.RunPython(create_triggers),
    ]
