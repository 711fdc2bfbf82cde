from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each reviewed card takes the rating of its latest log."""
    Card = apps.get_model("progress", "Card")
    ReviewLog = apps.get_model("progress", "ReviewLog")
    latest = ReviewLog.objects.filter(card=OuterRef("pk")).order_by("-reviewed_at", "-pk").values("rating")[:1]
    Card.objects.filter(last_review__isnull=False).update(last_rating=Subquery(latest))


class Migration(migrations.Migration):

    dependencies = [
        ("progress", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="last_rating",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
