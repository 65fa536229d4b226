"""JUnit XML, validated against Jenkins' junit-10.xsd (tests/schemas/). `check --junit` is run
in tests/course/test_release.py (with a kernel run it needs anyway)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from helpers import junit_schema, report_of

from grader.core.overrides import report_from_dict
from grader.formats.junit import to_junit

pytestmark = pytest.mark.kernel

SCHEMA = junit_schema()
STUDENTS = ("alice", "bob", "broken", "eve", "untouched")


def test_class_report_is_valid_junit_with_one_case_per_question(graded_class):
    out = graded_class[0]
    reports = [(s, report_from_dict(report_of(out, s))) for s in STUDENTS]
    text = to_junit(reports)
    SCHEMA.validate(text)
    root = ET.fromstring(text)
    assert [s.get("name") for s in root] == list(STUDENTS)
    for suite, (_, report) in zip(root, reports):
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [q.id for q in report.questions]
        assert {c.get("classname") for c in cases} == {report.exercise}
        for case, q in zip(cases, report.questions):
            kinds = {e.tag for e in case} - {"system-out"}
            expected = {"passed": set(), "failed": {"failure"}, "missing": {"failure"}}
            assert kinds == expected.get(str(q.status), {"error"}), (q.id, q.status)
        assert int(suite.get("failures")) + int(suite.get("errors")) == \
            sum(q.status != "passed" for q in report.questions)


def test_control_characters_from_student_output_stay_valid_xml(graded_class):
    report = report_from_dict(report_of(graded_class[0], "bob"))
    noisy = replace(report, questions=tuple(replace(q, message=q.message + "\x1b[31m\x00")
                                            for q in report.questions))
    SCHEMA.validate(to_junit([("bob", noisy)]))
