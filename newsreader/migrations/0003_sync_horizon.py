"""newsreader_sync_horizon(settle): the time before which every change is committed, as far
as this database can tell: the start of its oldest open transaction (or now), less ``settle``
seconds. The sync lists serve only rows changed before it (newsreader.api.SYNC_HORIZON)."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION newsreader_sync_horizon(settle double precision) RETURNS timestamptz AS $$
    -- A row's time is taken inside the transaction that writes it, so no row still to be
    -- committed is older than the oldest open transaction. Other databases and PostgreSQL's
    -- own processes (autovacuum) write none of ours.
    SELECT least(clock_timestamp(), min(xact_start)) - make_interval(secs => settle)
    FROM pg_stat_activity
    WHERE datname = current_database()
      AND backend_type = 'client backend'
      AND pid <> pg_backend_pid()
      AND xact_start IS NOT NULL
$$ LANGUAGE sql STABLE;
"""


class Migration(migrations.Migration):
    dependencies = [("newsreader", "0002_api_token")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION newsreader_sync_horizon(double precision);"),
    ]
