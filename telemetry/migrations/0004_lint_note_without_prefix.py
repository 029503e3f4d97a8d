# Notes stored before the linter's notes became the reason alone start with "No suggestion: ";
# pages now add "No confident suggestion:" themselves, so the old prefix would read twice.
from django.db import migrations


def strip_prefix(apps, schema_editor):
    Event = apps.get_model("telemetry", "Event")
    prefix = "No suggestion: "
    for event in Event.objects.filter(lint_note__startswith=prefix).only("pk", "lint_note"):
        note = event.lint_note[len(prefix) :]
        event.lint_note = note[:1].upper() + note[1:]
        event.save(update_fields=["lint_note"])


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0003_import_merge_team_rules")]
    operations = [migrations.RunPython(strip_prefix, migrations.RunPython.noop)]
