"""Generated documents move into PostgreSQL (portal.storage.DatabaseStorage): the table they live in. Files an older
deployment kept in MEDIA_ROOT are copied in by `manage.py documents_into_database`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_service_demonstration"),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255, unique=True, verbose_name="name")),
                ("content", models.BinaryField(verbose_name="content")),
                ("size", models.PositiveIntegerField(verbose_name="size (bytes)")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="stored")),
            ],
            options={
                "verbose_name": "document",
                "verbose_name_plural": "documents",
                "ordering": ["name"],
            },
        ),
    ]
