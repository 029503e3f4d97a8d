import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Participation gets a random key so row order cannot be matched to anonymous points.

    The model is recreated: an integer key cannot be cast to a UUID, and the rows only count voices.
    """

    dependencies = [
        ("strategy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="Participation"),
        migrations.CreateModel(
            name="Participation",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("strategy", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="participations", to="strategy.strategy")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("strategy", "user"), name="participation_once")],
            },
        ),
    ]
