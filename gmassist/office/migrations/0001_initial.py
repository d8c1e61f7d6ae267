# The office app's first migration: empty. Each part adds its tables in its own migration.

from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations: list = []
