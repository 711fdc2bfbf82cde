"""ImportRecord moves from the content app to questions, keeping its rows and permission.

An existing database renames content_importrecord and moves its content type (and so the
`import_questionset` permission granted to users and groups); a fresh one creates the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "content_importrecord"


def adopt_table(apps, schema_editor):
    model = apps.get_model("questions", "ImportRecord")
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
    else:
        schema_editor.create_model(model)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="content", model="importrecord").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label="questions", model="importrecord").first()
    if new is None:
        old.app_label = "questions"
        old.save(update_fields=["app_label"])
        return
    # Both exist: keep the granted permissions by pointing them at the new content type.
    for permission in Permission.objects.filter(content_type=old):
        if not Permission.objects.filter(content_type=new, codename=permission.codename).exists():
            permission.content_type = new
            permission.save(update_fields=["content_type"])
    old.delete()


def return_table(apps, schema_editor):
    model = apps.get_model("questions", "ImportRecord")
    schema_editor.alter_db_table(model, model._meta.db_table, OLD_TABLE)
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="questions", model="importrecord").update(app_label="content")


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0004_content_updated_at'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='ImportRecord',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('file_name', models.CharField(max_length=255)),
                    ('data', models.BinaryField()),
                    ('sha256', models.CharField(db_index=True, max_length=64)),
                    ('size', models.PositiveIntegerField(default=0)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('applied_at', models.DateTimeField(blank=True, null=True)),
                    ('status', models.CharField(choices=[('pending', 'awaiting review'), ('applied', 'applied'), ('cancelled', 'cancelled')], default='pending', max_length=20)),
                    ('set_title', models.CharField(blank=True, max_length=300)),
                    ('layout', models.CharField(blank=True, max_length=40)),
                    ('created', models.PositiveIntegerField(default=0)),
                    ('updated', models.PositiveIntegerField(default=0)),
                    ('unchanged', models.PositiveIntegerField(default=0)),
                    ('archived', models.PositiveIntegerField(default=0)),
                    ('warning_count', models.PositiveIntegerField(default=0)),
                    ('report', models.JSONField(blank=True, default=dict)),
                    ('question_set', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_records', to='questions.questionset')),
                    ('target', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='questions.questionset')),
                    ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_records', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-created_at', '-pk'],
                    'permissions': [('import_questionset', 'Can import question sets from Markdown')],
                },
            ),
        ]),
        migrations.RunPython(adopt_table, return_table),
    ]
