"""Search in NFC on both sides, and approved articles indexed from the text annotators see
(see articles.search): the rows indexed otherwise before are indexed again."""

from django.db import migrations

# articles.search.VECTOR_SQL as of this migration (a migration keeps what it ran).
VECTOR_SQL = (
    "setweight(to_tsvector('simple', newsreader_search_text(normalize({title}, NFC))), 'A')"
    " || setweight(to_tsvector('simple', newsreader_search_text(normalize({body}, NFC))), 'B')"
)

# Approved articles: from their live revision (its text holds the title too).
FROM_REVISION = f"""
UPDATE articles_article AS a
SET search_vector = {VECTOR_SQL.format(title="r.title", body="r.text")}
FROM articles_textrevision AS r
WHERE r.id = a.current_revision_id
"""

# The others: from their cleaning, where it is not in NFC already (the same vector then).
FROM_CLEANING = f"""
UPDATE articles_article AS a
SET search_vector = {VECTOR_SQL.format(title="c.title", body="c.body")}
FROM articles_cleaning AS c
WHERE c.id = a.current_cleaning_id AND a.current_revision_id IS NULL
  AND NOT (c.title || c.body) IS NFC NORMALIZED
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_ingest_skipped")]

    operations = [
        migrations.RunSQL(FROM_REVISION, migrations.RunSQL.noop),
        migrations.RunSQL(FROM_CLEANING, migrations.RunSQL.noop),
    ]
