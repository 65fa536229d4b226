"""The side-by-side table, the agreement check, and the overhead lines (plain text, also
written as Markdown)."""

from __future__ import annotations

from .assignment import QUESTIONS

LIMIT, OURS = "warm kernels (limit)", "ours"
HEADER = ("tool", "workers", "wall (s)", "runs (s)", "median/sub (s)", "subs/min", "x limit",
          "x ours", "peak RSS MiB/worker", "peak PSS MiB/worker", "note")


def _find(rows, tool: str, workers: int):
    return next((m for m in rows if m.tool == tool and m.workers == workers and not m.error),
                None)


def _ratio(m, ref) -> str:
    return f"{m.wall / ref.wall:.2f}" if ref and ref.wall else "-"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:.0f}"


def _runs(m) -> str:
    """Every run's wall, in the order they ran ("-" for a row measured once)."""
    if not m.repeats:
        return "-"
    return " / ".join("failed" if r.error else f"{r.wall:.1f}" for r in m.repeats)


def table_rows(rows, n: int) -> list[tuple]:
    out = []
    for m in rows:
        if m.error:
            out.append((m.tool, str(m.workers), f"failed: {m.error.splitlines()[0][:150]}",
                        "", "", "", "", "", "", "", m.note))
            continue
        ours = _find(rows, OURS, m.workers) or _find(rows, OURS, 1)
        out.append((m.tool, str(m.workers), f"{m.wall:.1f}", _runs(m),
                    f"{m.median:.2f}" if m.median is not None else "-",
                    f"{60 * n / m.wall:.1f}", _ratio(m, _find(rows, LIMIT, m.workers)),
                    _ratio(m, ours), _mib(m.peak_per_worker), _mib(m.pss_per_worker), m.note))
    return out


def render(rows: list[tuple], markdown: bool) -> str:
    cells = [HEADER, *rows]
    if markdown:
        lines = ["| " + " | ".join(c) + " |" for c in cells]
        lines.insert(1, "|" + "|".join("---" for _ in HEADER) + "|")
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADER))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(HEADER), fmt(tuple("-" * w for w in widths))] + [fmt(r) for r in rows])


def overhead_lines(rows, n: int) -> list[str]:
    """Our cost over the plain-python floor, per submission, with each worker count."""
    lines = []
    for m in rows:
        if m.tool != OURS or m.error:
            continue
        floor = _find(rows, "plain python (floor)", m.workers)
        if not floor:
            continue
        per_sub = (m.wall - floor.wall) * m.workers / n
        lines.append(f"our overhead over the plain-python floor, {m.workers} worker(s): "
                     f"{per_sub:+.2f} s per submission (worker-seconds: (wall ours - wall floor)"
                     f" x workers / {n}); medians {m.median:.2f} s vs {floor.median:.2f} s")
    return lines


def target_lines(rows) -> list[str]:
    """The issue's targets, with the numbers of this run. The anchors count as their
    instructors run them: one worker (nbgrader autograde is serial; otter run, one at a time)."""
    lines = []
    nbg, otter = _find(rows, "nbgrader autograde", 1), _find(rows, "otter run", 1)
    for w in sorted({m.workers for m in rows}):
        ours, limit = _find(rows, OURS, w), _find(rows, LIMIT, w)
        parts = []
        if ours and limit:
            parts.append(f"ours/limit {ours.wall / limit.wall:.2f} (target <= 1.15; end to end, "
                         f"the limit's kernel start and imports counted too: "
                         f"{ours.wall / (limit.end_to_end or limit.wall):.2f})")
        if ours and nbg:
            parts.append(f"nbgrader serial/ours {nbg.wall / ours.wall:.1f} (target >= 6)")
        if ours and otter:
            parts.append(f"otter run serial/ours {otter.wall / ours.wall:.1f} (target >= 15)")
        if parts:
            lines.append(f"targets, {w} worker(s): " + "; ".join(parts))
    return lines


def _wrong(m, students) -> list[str]:
    """student:question pairs where the run's verdict is not the one the student deserves."""
    return [f"{s.id}:{q.id}" for s in students for i, q in enumerate(QUESTIONS)
            if m.verdicts.get(s.id, (None,) * len(QUESTIONS))[i] != s.expected[i]]


def _agreement_line(m, students) -> tuple[bool, str]:
    """Does every run behind the row agree? Each disagreeing run is named."""
    runs = m.repeats or [m]
    checked = [(i, _wrong(r, students)) for i, r in enumerate(runs)
               if r.verdicts is not None and not r.error]
    wrong = [(i, w) for i, w in checked if w]
    which = (lambda i: f"run {i + 1} of {len(runs)} ") if m.repeats else (lambda i: "")
    text = "; ".join(f"{which(i)}DISAGREES on {len(w)}: {', '.join(w[:8])}" for i, w in wrong)
    every = f" in all {len(checked)} runs" if m.repeats else ""
    return not wrong, (f"  {m.tool} ({m.workers} worker(s)): "
                       + (text or f"agrees on every question{every}"))


def agreement(rows, students) -> tuple[bool, list[str]]:
    """Does every grading tool pass exactly the questions each student deserves?"""
    lines, all_agree = [], True
    for m in rows:
        if m.verdicts is not None and not m.error:
            agrees, line = _agreement_line(m, students)
            all_agree &= agrees
            lines.append(line)
    passing = sum(all(s.expected) for s in students)
    verdict = "every tool passes the same questions" if all_agree else "TOOLS DISAGREE"
    header = (f"agreement: {verdict}"
              f" ({len(students)} students, {passing} with full marks; expected per student: "
              + " ".join(f"{s.id}={''.join('P' if e else 'f' for e in s.expected)}"
                         for s in students) + ")")
    return all_agree, [header] + lines
