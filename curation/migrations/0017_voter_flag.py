"""A flagged voter's votes leave every figure, not only the arena's fits.

ArenaFlag becomes VoterFlag (one flag, whatever found it: the arena's anomaly test, repeated
verdicts, or ratings far from the crowd's), and curation_rate counts a rating only when its
listener is proven and not flagged. The function keeps its arguments and columns (0015): only
the check changes, so CREATE OR REPLACE does.
"""

import importlib

from django.db import migrations, models

PROVEN = importlib.import_module("curation.migrations.0015_listener_proven")

CHECK = "l.proven_at IS NOT NULL INTO counted"
FLAG_CHECK = (
    "l.proven_at IS NOT NULL AND NOT EXISTS (\n"
    "        SELECT 1 FROM curation_voterflag f WHERE f.listener_id = l.id\n"
    "    ) INTO counted"
)
assert PROVEN.RATE_FUNCTION.count(CHECK) == 2
RATE_FUNCTION = PROVEN.RATE_FUNCTION.replace(CHECK, FLAG_CHECK).replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1
)
OLD_FUNCTION = PROVEN.RATE_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0016_listener_credited_until"),
    ]

    operations = [
        migrations.RenameModel("ArenaFlag", "VoterFlag"),
        migrations.AlterField(
            model_name="voterflag",
            name="listener",
            field=models.OneToOneField(
                on_delete=models.deletion.CASCADE,
                primary_key=True,
                related_name="voter_flag",
                serialize=False,
                to="curation.listener",
            ),
        ),
        migrations.AlterField(
            model_name="voterflag",
            name="reason",
            field=models.CharField(
                choices=[
                    ("unlikely", "Arena verdicts the model finds too unlikely"),
                    ("repeats", "The same verdict repeated on one pair"),
                    ("ratings", "Ratings far from the rest of the crowd's"),
                ],
                default="unlikely",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="voterflag",
            name="p_value",
            field=models.FloatField(help_text="Combined p-value of their votes"),
        ),
        migrations.RunSQL(RATE_FUNCTION, OLD_FUNCTION),
    ]
