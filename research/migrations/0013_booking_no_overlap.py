"""No double booking, enforced by PostgreSQL: an exclusion constraint over each researcher's
held and booked time ranges (partial overlaps included). SQLite has no exclusion constraints;
there an IMMEDIATE write transaction around the check-and-insert (research/booking.py) gives the
same guarantee, so this migration does nothing on SQLite."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE research_booking ADD CONSTRAINT research_booking_no_overlap
    EXCLUDE USING gist (researcher_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (status IN ('held', 'confirmed', 'completed', 'no_show'));
"""
DROP = "ALTER TABLE research_booking DROP CONSTRAINT IF EXISTS research_booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("research", "0012_scheduling")]

    operations = [migrations.RunPython(forwards, backwards)]
