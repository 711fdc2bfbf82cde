"""A GIN index for PostgreSQL full-text search over question titles and answers.

The indexed expression is exactly what questions.search.search_vector() compiles to,
so the planner uses it. Other databases get nothing: questions.search falls back there.
"""

from django.db import migrations

INDEX = "questions_question_search_gin"
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(answer_md, '')), 'B'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON questions_question USING gin ({VECTOR})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
