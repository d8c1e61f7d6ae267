"""`gmassist voice evaluate`: the cross-validation on the training part beside the held-back
numbers."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.usefixtures("evaluations_once_per_run")


def run(*args) -> str:
    out = io.StringIO()
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
