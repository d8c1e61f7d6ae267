"""Survey results are published as snapshots (voice/engine/survey_publication.py): the
snapshot table, the day on an open round's responses, and the final snapshot of every round
sealed before (its answers counted as one batch, as they were shown)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def publish_sealed_rounds(apps, schema_editor):
    from gmassist.voice.engine.survey_publication import final_groups
    from gmassist.voice.engine.survey_results import (
        DepartmentNode,
        QuestionSpec,
        results_to_data,
        survey_results,
    )

    Department = apps.get_model("org", "Department")
    SurveyRound = apps.get_model("voice", "SurveyRound")
    SurveySnapshot = apps.get_model("voice", "SurveySnapshot")
    SurveyAnswer = apps.get_model("voice", "SurveyAnswer")
    nodes = [
        DepartmentNode(pk, parent, name)
        for pk, parent, name in Department.objects.values_list("id", "parent_id", "name")
    ]
    for survey_round in SurveyRound.objects.filter(sealed=True, snapshot__isnull=True):
        respondents = dict(
            survey_round.responses.values("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
            .order_by()
        )
        plan = final_groups(departments=nodes, batches=[respondents])
        answers = SurveyAnswer.objects.filter(response__round=survey_round)
        scores = (
            answers.filter(score__isnull=False)
            .values("response__department_id", "question_id", "score")
            .annotate(n=Count("id"))
            .values_list("response__department_id", "question_id", "score", "n")
            .order_by()
        )
        texts = (
            answers.filter(score__isnull=True)
            .exclude(text="")
            .values_list("response__department_id", "question_id", "text")
        )
        questions = survey_round.survey.questions.all()
        results = survey_results(
            departments=nodes,
            questions=[QuestionSpec(q.pk, q.kind, q.text) for q in questions],
            respondents=respondents,
            scores=((d, q, score) for d, q, score, n in scores for _ in range(n)),
            texts=texts,
            invited={int(k): v for k, v in survey_round.invited.items()},
            groups=plan.groups,
        )
        SurveySnapshot.objects.create(
            round=survey_round,
            is_final=True,
            published_on=survey_round.closes_on,
            respondents=sum(g.respondents for g in plan.groups),
            data=results_to_data(results),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_friendly_constraint_messages"),
        ("voice", "0003_recruiting"),
    ]

    operations = [
        migrations.CreateModel(
            name="SurveySnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("is_final", models.BooleanField(default=False, verbose_name="final")),
                ("published_on", models.DateField(verbose_name="published")),
                (
                    "counts_before",
                    models.DateField(blank=True, null=True, verbose_name="answers counted before"),
                ),
                ("refreshes", models.JSONField(blank=True, default=list, verbose_name="refreshes")),
                ("respondents", models.PositiveIntegerField(default=0, verbose_name="respondents")),
                (
                    "left_out",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Answers after the last refresh, too few to be added safely.",
                        verbose_name="answers left out",
                    ),
                ),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="results")),
            ],
            options={
                "verbose_name": "survey results snapshot",
                "verbose_name_plural": "survey results snapshots",
                "ordering": ["round"],
            },
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="answered_on",
            field=models.DateField(blank=True, null=True, verbose_name="answered"),
        ),
        migrations.AddIndex(
            model_name="surveyresponse",
            index=models.Index(
                fields=["round", "department", "answered_on"], name="voice_response_dept_day"
            ),
        ),
        migrations.AddField(
            model_name="surveysnapshot",
            name="round",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="snapshot",
                to="voice.surveyround",
                verbose_name="round",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveysnapshot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("counts_before__isnull", True), ("is_final", True)),
                    models.Q(("counts_before__isnull", False), ("is_final", False)),
                    _connector="OR",
                ),
                name="voice_snapshot_open_counts_days_before",
            ),
        ),
        migrations.RunPython(publish_sealed_rounds, migrations.RunPython.noop),
    ]
