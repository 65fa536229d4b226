"""JUnit XML for CI systems (Jenkins, GitLab, Azure, CircleCI...): one <testsuite> per
submission, one <testcase> per question (classname: the exercise, name: the question id).

A question that passed is a bare testcase; failed and missing answers are <failure>s (the
student's answer is wrong or absent); an error or a timeout in the student's code is an <error>,
and so is a grader-error (type says which). Validated in the tests against Jenkins' junit-10.xsd.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..core.results import Report, Status

FAILURE = {Status.FAILED, Status.MISSING}
# Characters XML 1.0 cannot hold (student output may carry any byte): dropped.
NOT_XML = re.compile("[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _x(text: str) -> str:
    return NOT_XML.sub("", str(text))


def to_junit(reports: list[tuple[str, Report]], name: str = "grader") -> str:
    """`reports` pairs a suite name (the student, or the notebook path) with its Report."""
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for suite_name, report in reports:
        suite = _suite(suite_name, report)
        root.append(suite)
        for key in ("tests", "failures", "errors"):
            totals[key] += int(suite.get(key))
        totals["time"] += report.duration_s
    root.attrib.update({k: str(v) for k, v in totals.items() if k != "time"},
                       time=f"{totals['time']:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(name: str, report: Report) -> ET.Element:
    failures = sum(q.status in FAILURE for q in report.questions)
    errors = sum(q.status not in FAILURE and q.status != Status.PASSED for q in report.questions)
    suite = ET.Element("testsuite", name=_x(name), tests=str(len(report.questions)),
                       failures=str(failures), errors=str(errors), skipped="0",
                       time=f"{report.duration_s:.3f}", file=_x(report.submission))
    properties = ET.SubElement(suite, "properties")
    facts = {"exercise": report.exercise, "score": f"{report.score:g}",
             "max_score": f"{report.max_score:g}", "seed": str(report.seed),
             **{f"version.{k}": v for k, v in report.environment.items()}}
    for key, value in facts.items():
        ET.SubElement(properties, "property", name=key, value=_x(value))
    for q in report.questions:
        suite.append(_case(report.exercise, q))
    if report.notices:
        ET.SubElement(suite, "system-out").text = _x("\n".join(report.notices))
    return suite


def _case(exercise: str, q) -> ET.Element:
    case = ET.Element("testcase", classname=exercise, name=q.id, time="0")
    if q.status != Status.PASSED:
        kind = "failure" if q.status in FAILURE else "error"
        text = "\n".join(filter(None, [q.message, q.hint and f"try: {q.hint}",
                                       q.cell_error and q.cell_error.traceback]))
        ET.SubElement(case, kind, type=str(q.status),
                      message=_x(f"{q.score:g}/{q.max_score:g}: {q.message}")).text = _x(text)
    ET.SubElement(case, "system-out").text = _x(f"{q.title}: {q.score:g}/{q.max_score:g} points")
    return case


def write_junit(reports: list[tuple[str, Report]], path: Path) -> None:
    Path(path).write_text(to_junit(reports), encoding="utf-8")
