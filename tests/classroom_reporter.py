"""A faithful port of classroom-resources/autograding-grading-reporter (dist/main.js, v1), the
action GitHub Classroom runs after the grading steps, to check `grader ci`'s `result` against
the reporter's own rules rather than against our idea of them.

main:     for each runner id in `runners` (split on ","), read $<ID upper>_RESULTS, base64-decode,
          JSON.parse; fail the step if any results.status is "fail" (then "error").
console:  per runner, getTestScore = (tests with status "pass" / tests.length) * max_score
          (the newer src/ sums tests[].score instead); the "Total" row sums those.
notify:   for runners with a truthy max_score, maxPoints += max_score and totalPoints +=
          every tests[].score; the notice reads `Points ${totalPoints}/${maxPoints}`.
"""

from __future__ import annotations

import base64
import json
import math

RESULT_SCHEMA = {
    "type": "object",
    "required": ["version", "status", "max_score", "tests"],
    "properties": {
        "version": {"const": 1},
        "status": {"enum": ["pass", "fail", "error"]},
        "max_score": {"type": "integer", "minimum": 0},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "status", "score", "message"],
            "properties": {
                "name": {"type": "string"}, "status": {"enum": ["pass", "fail", "error"]},
                "score": {"type": "number", "minimum": 0}, "message": {"type": "string"},
                "line_no": {"type": "integer"}, "test_code": {"type": "string"}}}}},
}


def js_number(value: float) -> str:
    """How JavaScript's template literals print a number (`${x}`)."""
    if float(value).is_integer() and math.isfinite(value):
        return str(int(value))
    return repr(float(value))


def decode(runners: str, env: dict) -> list[dict]:
    out = []
    for runner in runners.split(","):
        encoded = env[f"{runner.strip().upper()}_RESULTS"]
        out.append({"runner": runner, "results": json.loads(base64.b64decode(encoded))})
    return out


def console_score(results: dict) -> float:
    tests = results["tests"]
    passed = sum(1 for t in tests if t["status"] == "pass")
    return passed / len(tests) * (results.get("max_score") or 0)


def src_score(results: dict) -> float:
    return sum(t["score"] for t in results["tests"])


def notify(runner_results: list[dict]) -> str | None:
    total, maximum = 0, 0
    for entry in runner_results:
        results = entry["results"]
        if not results.get("max_score"):
            continue
        maximum += results["max_score"]
        for test in results["tests"]:
            total += test["score"]
    if not maximum:
        return None
    return f"Points {js_number(total)}/{js_number(maximum)}"


def step_failed(runner_results: list[dict]) -> str | None:
    if any(r["results"]["status"] == "fail" for r in runner_results):
        return "Some tests failed."
    if any(r["results"]["status"] == "error" for r in runner_results):
        return "Some tests errored."
    return None
