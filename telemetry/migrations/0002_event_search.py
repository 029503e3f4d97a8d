"""Full-text search on PostgreSQL: a trigger keeps Event.search_vector current and a GIN index serves it.

Other databases keep the column NULL and search with icontains instead.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION telemetry_event_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.normalised_name, '') || ' ' || coalesce(NEW.name, '')), 'A')
    || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS telemetry_event_search ON telemetry_event;
CREATE TRIGGER telemetry_event_search BEFORE INSERT OR UPDATE OF name, normalised_name, description
  ON telemetry_event FOR EACH ROW EXECUTE FUNCTION telemetry_event_search_update();
CREATE INDEX IF NOT EXISTS tele_event_search_gin ON telemetry_event USING gin (search_vector);
UPDATE telemetry_event SET name = name;
"""

BACKWARD = """
DROP INDEX IF EXISTS tele_event_search_gin;
DROP TRIGGER IF EXISTS telemetry_event_search ON telemetry_event;
DROP FUNCTION IF EXISTS telemetry_event_search_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
