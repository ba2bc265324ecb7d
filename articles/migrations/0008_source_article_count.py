"""Source.article_count counts the source's articles; the line statistics' denominator, which
it used to hold, is now counted_articles."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_ingest_duplicates")]

    operations = [
        migrations.RenameField("source", "article_count", "counted_articles"),
        migrations.AddField(
            model_name="source",
            name="article_count",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunSQL(
            "UPDATE articles_source SET article_count ="
            " (SELECT count(*) FROM articles_article WHERE source_id = articles_source.id)",
            migrations.RunSQL.noop,
        ),
    ]
