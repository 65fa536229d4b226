"""PrairieLearn's external-grader results.json, validated against its documented shape."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from helpers import EXERCISE, report_of
from platform_schemas import PRAIRIELEARN

from grader.core.overrides import report_from_dict
from grader.core.results import Picture
from grader.platforms.prairielearn import results_json, run


@pytest.mark.kernel
def test_results_of_a_graded_class_are_valid(graded_class):
    for student in ("alice", "bob", "broken", "untouched"):
        report = report_from_dict(report_of(graded_class[0], student))
        data = results_json(report)
        jsonschema.validate(data, PRAIRIELEARN)
        assert data["gradable"] is True
        assert data["score"] * report.max_score == pytest.approx(report.score)
        assert sum(t["points"] for t in data["tests"]) == report.score
        assert [t["max_points"] for t in data["tests"]] == [q.max_score for q in report.questions]


def test_an_empty_submission_is_not_gradable_and_results_are_still_written(tmp_path):
    (tmp_path / "student").mkdir()
    run(EXERCISE, root=tmp_path)
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(data, PRAIRIELEARN)
    assert data["gradable"] is False and f"{EXERCISE}.ipynb" in data["message"]


@pytest.mark.kernel
def test_pictures_become_data_url_images(graded_class):
    report = report_from_dict(report_of(graded_class[0], "bob"))
    picture = Picture("Your clusters", "a scatter plot", "data:image/png;base64,iVBORw0KGgo=")
    report = replace(report, questions=(replace(report.questions[0], pictures=(picture,)),
                                        *report.questions[1:]))
    data = results_json(report)
    jsonschema.validate(data, PRAIRIELEARN)
    assert data["tests"][0]["images"] == [{"label": "Your clusters", "url": picture.data_url}]
