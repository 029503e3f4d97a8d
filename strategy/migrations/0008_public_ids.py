import uuid

from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    # Each existing row gets its own random id; the database key is never shown again.
    for name in ("Point", "Reply"):
        model = apps.get_model("strategy", name)
        for pk in model.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0007_voices_fixed_at_close"),
    ]

    operations = [
        migrations.AddField(
            model_name="point",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="reply",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="point",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="reply",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterModelOptions(
            name="point",
            options={"ordering": ["created_at", "public_id"]},
        ),
        migrations.AlterModelOptions(
            name="reply",
            options={"ordering": ["created_at", "public_id"], "verbose_name_plural": "replies"},
        ),
    ]
