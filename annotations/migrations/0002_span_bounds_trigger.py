"""end <= length of the revision text, enforced by PostgreSQL: a CHECK cannot see another table."""

from django.db import migrations

TABLES = ("annotations_entitymention", "annotations_claim", "annotations_supportspan")

FUNCTION = """
CREATE OR REPLACE FUNCTION annotations_span_within_revision() RETURNS trigger AS $$
BEGIN
    IF NEW."end" > (SELECT char_length(text) FROM articles_textrevision WHERE id = NEW.revision_id)
    THEN
        RAISE EXCEPTION 'span [%, %) lies beyond the end of revision %',
            NEW.start, NEW."end", NEW.revision_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER {table}_within_revision
BEFORE INSERT OR UPDATE OF start, "end", revision_id ON {table}
FOR EACH ROW EXECUTE FUNCTION annotations_span_within_revision();
"""


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION annotations_span_within_revision();"),
        *(
            migrations.RunSQL(
                TRIGGER.format(table=table), f"DROP TRIGGER {table}_within_revision ON {table};"
            )
            for table in TABLES
        ),
    ]
