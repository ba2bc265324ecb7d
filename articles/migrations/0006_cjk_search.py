"""CJK runs indexed as bigrams (see articles.search), and the articles holding any re-indexed."""

from django.db import migrations

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"

SEARCH_TEXT = rf"""
CREATE OR REPLACE FUNCTION newsreader_search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
    CASE WHEN m.part[1] ~ '^[{CJK}]' THEN ' ' || coalesce(
      (SELECT string_agg(substr(m.part[1], i, 2), ' ' ORDER BY i)
       FROM generate_series(1, char_length(m.part[1]) - 1) AS i),
      m.part[1]) || ' '
    ELSE m.part[1] END, '' ORDER BY m.ord), '')
  FROM regexp_matches(t, '([{CJK}]+|[^{CJK}]+)', 'g') WITH ORDINALITY AS m(part, ord)
$$
"""

REINDEX = rf"""
UPDATE articles_article AS a
SET search_vector =
    setweight(to_tsvector('simple', newsreader_search_text(c.title)), 'A')
    || setweight(to_tsvector('simple', newsreader_search_text(c.body)), 'B')
FROM articles_cleaning AS c
WHERE c.id = a.current_cleaning_id AND (c.title || c.body) ~ '[{CJK}]'
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_alter_article_reject_reason")]

    operations = [
        migrations.RunSQL(SEARCH_TEXT, "DROP FUNCTION newsreader_search_text(text)"),
        migrations.RunSQL(REINDEX, migrations.RunSQL.noop),
    ]
