"""`gmassist voice evaluate`: the cross-validation on the training part beside the held-back
numbers."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.usefixtures("evaluations_once_per_run")


def run(*args, language: str = "en") -> str:
    """The command's output in `language` (a request of an earlier test may have left another
    language active in this thread)."""
    out = io.StringIO()
    with translation.override(language):
        call_command("voice", *args, stdout=out)
    return out.getvalue()


def test_evaluate_reports_the_cross_validation_on_the_training_part_as_json():
    body = json.loads(run("evaluate", "--json", "--folds", "3", "--repeats", "1"))
    cv = body["cross_validation"]
    assert (cv["n"], cv["folds"], cv["repeats"]) == (body["n_train"], 3, 1)
    assert set(cv["topic_accuracy"]) == {"mean", "std"}
    assert cv["urgent_recall"] == {"mean": 1.0, "std": 0.0}


def test_evaluate_prints_the_cross_validation_and_says_the_rules_saw_the_data():
    out = run("evaluate", "--folds", "3", "--repeats", "1")
    assert "Cross-validated on the training part: 2316 texts, 3 folds x 1 (mean ± std)" in out
    assert "written with the whole labelled set in view" in out


def test_evaluate_without_repeats_skips_the_cross_validation():
    body = json.loads(run("evaluate", "--json", "--repeats", "0"))
    assert body["cross_validation"] is None
    assert "Cross-validated" not in run("evaluate", "--repeats", "0")


@pytest.mark.parametrize("args", [("--folds", "1"), ("--repeats", "-1")])
def test_evaluate_refuses_bad_folds_or_repeats(args):
    with pytest.raises(CommandError, match="--folds must be at least 2 and --repeats at least 0"):
        run("evaluate", *args)


OUTSIDE_HEADER = "text,language,topic,sentiment\n"


def outside_file(tmp_path, rows: str):
    path = tmp_path / "outside.csv"
    path.write_text(OUTSIDE_HEADER + rows, "utf-8")
    return path


@pytest.fixture
def tiny_training(monkeypatch):
    """`--test` trains on the tiny set (fast): what is printed is under test, not the model."""
    from gmassist.voice.feedback import cli
    from gmassist.voice.tests.test_classifier import TINY

    monkeypatch.setattr(cli, "SHIPPED_EXAMPLES", TINY)
    return TINY


TINY_OUTSIDE = (
    "The raise this year was far too small.,en,pay,negative\n"
    "Payslips are late again.,en,pay,negative\n"
    "我们每天加班到十点。,zh,workload,negative\n"
    "谢谢新同事，工作量合理了。,zh,workload,positive\n"
)


@pytest.mark.django_db
def test_evaluate_test_reports_accuracy_per_language_and_topic_with_the_confusion(
    tmp_path, tiny_training
):
    path = outside_file(tmp_path, TINY_OUTSIDE)
    out = run("evaluate", "--examples", str(tiny_training), "--test", str(path))
    assert "outside.csv: 4 texts; trained on 13 examples and 0 topic corrections" in out
    assert "Per topic" in out
    assert "Confusion: labelled topic (rows) given as (columns)" in out
    assert "to triage (confidence below 50%)" in out
    assert "Cross-validated" not in out


@pytest.mark.django_db
def test_evaluate_test_as_json_trains_on_the_companys_corrections_too(
    tmp_path, tiny_training, cast
):
    from gmassist.voice.feedback import services
    from gmassist.voice.feedback.tests.conftest import make_feedback

    path = outside_file(tmp_path, TINY_OUTSIDE)
    item = make_feedback(department=cast.sales, subject="Shuttle", body="It is late.")
    services.feedback_set_topic(feedback=item, topic="workload", by=cast.hr)
    body = json.loads(run("evaluate", "--test", str(path), "--json"))
    assert (body["n_train"], body["n_corrections"], body["n"]) == (13, 1, 4)
    assert set(body["by_language"]) == {"en", "zh"}
    assert set(body["by_topic"]) == set(body["confusion"]) == {"pay", "workload"}
    assert body["by_topic"]["pay"]["n"] == 2
    assert sum(sum(row.values()) for row in body["confusion"].values()) == 4
    assert body["triage_below"] == 0.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,language,topic\nHi,en,pay\n", r"outside\.csv: missing column\(s\) sentiment"),
        (
            OUTSIDE_HEADER + "Fine,en,pay,neutral\nHi,en,salary,neutral\n",
            r"outside\.csv, row 3, column topic: 'salary' is not one of 'pay'",
        ),
        (OUTSIDE_HEADER + "Hi,fr,pay,neutral\n", r"row 2, column language: 'fr' is not one of"),
        (OUTSIDE_HEADER, r"outside\.csv has no labelled rows"),
    ],
)
@pytest.mark.django_db
def test_evaluate_test_refuses_a_bad_file_naming_the_row_and_column(
    tmp_path, tiny_training, content, message
):
    path = tmp_path / "outside.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(CommandError, match=message):
        run("evaluate", "--test", str(path))


@pytest.mark.django_db
def test_evaluate_test_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no labelled examples at"):
        run("evaluate", "--test", str(tmp_path / "nowhere.csv"))


@pytest.mark.django_db
def test_evaluate_test_on_the_shipped_outside_file_in_chinese():
    out = run(
        "evaluate", "--test", "gmassist/voice/data/feedback_outside_test.csv", language="zh-hans"
    )
    assert "feedback_outside_test.csv：434 条文本；训练数据为 3089 条样例和 0 条话题更正" in out
    assert "83.2%" in out
    assert "混淆表" in out
