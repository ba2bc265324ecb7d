"""CJK runs indexed as bigrams (see articles.search), and every cleaned article re-indexed."""

from django.db import migrations

BIGRAMS = r"""
CREATE OR REPLACE FUNCTION newsreader_cjk_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(substr(m.run[1], i, 2), ' ' ORDER BY m.ord, i), '')
  FROM regexp_matches(
         t, '([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]{2,})', 'g'
       ) WITH ORDINALITY AS m(run, ord),
       generate_series(1, char_length(m.run[1]) - 1) AS i
$$
"""

REINDEX = r"""
UPDATE articles_article AS a
SET search_vector =
    setweight(to_tsvector('simple', c.title || ' ' || newsreader_cjk_bigrams(c.title)), 'A')
    || setweight(to_tsvector('simple', c.body || ' ' || newsreader_cjk_bigrams(c.body)), 'B')
FROM articles_cleaning AS c
WHERE c.id = a.current_cleaning_id AND (c.title || c.body) ~ '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]'
"""


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_alter_article_reject_reason")]

    operations = [
        migrations.RunSQL(BIGRAMS, "DROP FUNCTION newsreader_cjk_bigrams(text)"),
        migrations.RunSQL(REINDEX, migrations.RunSQL.noop),
    ]
