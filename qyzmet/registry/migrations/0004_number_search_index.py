"""A trigram index for the public search by number (PostgreSQL only).

The register's search finds entries whose number *contains* what was typed
(`number__icontains`, i.e. `UPPER(number) LIKE UPPER('%...%')`), which no b-tree can answer: at
a million applications the search read the whole table (a sequential scan, 0.2 s at 83
thousand entries, seconds at 830 thousand). A GIN index of the upper-cased number's trigrams
answers it from the index (bench/scale.py). SQLite, the embedded development default, scans as
before.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS registry_registerentry_number_trgm
    ON registry_registerentry USING gin (UPPER(number) gin_trgm_ops);
"""
BACKWARD = "DROP INDEX IF EXISTS registry_registerentry_number_trgm;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_issued_documents")]
    operations = [migrations.RunPython(forward, backward)]
