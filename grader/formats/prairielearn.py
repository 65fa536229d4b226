"""PrairieLearn's external-grader results.json.

`score` is the fraction of the points in [0, 1]; `tests[]` has name, description, points,
max_points, message, output and `images` (data URLs, from the pictures the report carries, if
any); `gradable` says whether the submission could be graded at all (false: the student sees the
message and keeps the attempt).
"""

from __future__ import annotations

from ..results import Report, Status


def results_json(report: Report) -> dict:
    tests = [_test(q) for q in report.questions]
    versions = ", ".join(f"{k} {v}" for k, v in report.environment.items())
    return {"gradable": True,
            "score": report.score / report.max_score if report.max_score else 0.0,
            "message": f"{report.exercise}: {report.score:g}/{report.max_score:g} points.",
            "output": "\n".join([*report.notices, f"Graded with {versions}; seed {report.seed}."]),
            "images": _images(report), "tests": tests}


def _test(q) -> dict:
    message = q.message + (f"\nTry: {q.hint}" if q.hint and q.status != Status.PASSED else "")
    output = ""
    if q.cell_error and q.status != Status.PASSED:
        output = f"{q.cell_error.ename}: {q.cell_error.evalue}\n{q.cell_error.traceback}"
    return {"name": f"{q.id}: {q.title}", "description": str(q.status),
            "points": q.score, "max_points": q.max_score, "message": message,
            "output": output, "images": _images(q)}


def _images(result) -> list[dict]:
    # Pictures (title, data_url) come with reports that have them; none is fine.
    return [{"label": p.title, "url": p.data_url} for p in getattr(result, "pictures", ())
            if str(getattr(p, "data_url", "")).startswith("data:")]


def not_gradable(message: str) -> dict:
    return {"gradable": False, "score": 0.0, "message": message, "output": "", "images": [],
            "tests": []}
