"""Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

One test per question: name, number, score, max_score, status ("passed" / "failed"), output
(Markdown: the message and what to try), output_format "md", visibility. Public questions are
"visible"; hidden questions are shown "after_published" (once the instructor publishes grades)
unless told otherwise. The top-level output names the versions and the seed, so a regrade can be
reproduced.
"""

from __future__ import annotations

from ..results import Report, Status

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def results_json(report: Report, execution_time: float,
                 hidden_visibility: str = "after_published") -> dict:
    tests = [_test(i, q, hidden_visibility) for i, q in enumerate(report.questions, start=1)]
    return {"score": report.score, "execution_time": max(0, round(execution_time)),
            "output": _overview(report), "output_format": "md", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def _test(number: int, q, hidden_visibility: str) -> dict:
    lines = [q.message]
    if q.hint and q.status != Status.PASSED:
        lines.append(f"*Try:* {q.hint}")
    if q.cell_error and q.status != Status.PASSED:
        lines.append(f"```\n{q.cell_error.ename}: {q.cell_error.evalue}\n```")
    return {"name": f"{q.id}: {q.title}", "number": str(number), "score": q.score,
            "max_score": q.max_score,
            "status": "passed" if q.status == Status.PASSED else "failed",
            "output": "\n\n".join(lines), "output_format": "md",
            "visibility": "visible" if q.visibility == "public" else hidden_visibility,
            "tags": [str(q.status)]}


def _overview(report: Report) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in report.environment.items())
    lines = [f"**{report.exercise}**: {report.score:g}/{report.max_score:g} points.",
             f"Graded with {versions}; seed {report.seed}."]
    lines += [f"* {n}" for n in report.notices]
    lines += [f"* Cell {e.index + 1} raised {e.ename}: {e.evalue}" for e in report.stray_errors]
    return "\n\n".join(lines[:2]) + ("\n\n" + "\n".join(lines[2:]) if lines[2:] else "")


def failure_json(public_message: str, details: str, max_score: float,
                 execution_time: float, versions: dict,
                 name: str = "Grading failed: tell your instructor") -> dict:
    """When the submission could not be graded: a visible entry saying so, the details hidden
    (shown to the instructor only). Score 0 until the instructor regrades."""
    names = ", ".join(f"{k} {v}" for k, v in versions.items())
    return {"score": 0.0, "execution_time": max(0, round(execution_time)),
            "output": f"{public_message}\n\nGrader: {names}.", "output_format": "md",
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [
                {"name": name, "number": "0",
                 "score": 0.0, "max_score": max_score, "status": "failed",
                 "output": public_message, "output_format": "md", "visibility": "visible"},
                {"name": "Grading failure details (instructors only)", "number": "0.1",
                 "score": 0.0, "max_score": 0.0, "status": "failed",
                 "output": f"```\n{details}\n```", "output_format": "md",
                 "visibility": "hidden"}]}
