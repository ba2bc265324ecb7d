"""A NOTIFY on the channel newsreader_credentials whenever what an API token stands for may
have changed: the token, its user, the user's groups. Workers keep the token rows they read
until then (newsreader.authentication)."""

from django.db import migrations

CHANNEL = "newsreader_credentials"
TABLES = ("authtoken_token", "auth_user", "auth_user_groups", "auth_group")

FUNCTION = f"""
CREATE FUNCTION newsreader_credentials_changed() RETURNS trigger AS $$
BEGIN
    -- One per transaction: PostgreSQL folds equal notifications of a transaction into one.
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _trigger(table: str) -> migrations.RunSQL:
    name = f"{table}_credentials_changed"
    return migrations.RunSQL(
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION newsreader_credentials_changed();",
        f"DROP TRIGGER {name} ON {table};",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION newsreader_credentials_changed();"),
        *(_trigger(table) for table in TABLES),
    ]
