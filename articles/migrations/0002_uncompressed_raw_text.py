from django.db import migrations


class Migration(migrations.Migration):
    """Store raw pages uncompressed: per-value TOAST compression halves ingest throughput for
    ~6 KB texts (measured in stack-notes), and disk is cheaper than ingest time here."""

    dependencies = [("articles", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE articles_article ALTER COLUMN raw_bytes SET STORAGE EXTERNAL,"
            " ALTER COLUMN text SET STORAGE EXTERNAL",
            "ALTER TABLE articles_article ALTER COLUMN raw_bytes SET STORAGE EXTENDED,"
            " ALTER COLUMN text SET STORAGE EXTENDED",
        )
    ]
