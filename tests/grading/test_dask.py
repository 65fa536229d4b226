"""`grader grade --scheduler` on a real Dask cluster (a LocalCluster: two worker processes,
one thread each) grades the demo class like a local run, into the client's one gradebook."""

from __future__ import annotations

import re

import pytest
from batch_runs import (
    DEMO,
    DEMO_STUDENTS,
    comparable,
    environment,
    grade_command,
    graded_lines,
    kill_when,
    rows,
    run,
    start,
    uninterrupted,
)

pytestmark = pytest.mark.kernel

distributed = pytest.importorskip("distributed")
from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        local.finished = []
        local.scheduler.add_plugin(Finished(local.finished))
        yield local


def test_the_demo_class_graded_on_dask_equals_a_local_run(cluster, tmp_path, tmp_path_factory):
    expected = uninterrupted(tmp_path_factory)[1]
    out = tmp_path / "out"
    proc = run(grade_command(out, DEMO, jobs=None, options=["--scheduler",
                                                            cluster.scheduler_address]),
               environment(None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(graded_lines(proc.stdout)) == list(DEMO_STUDENTS)
    assert comparable(out) == comparable(expected, DEMO_STUDENTS)
    # The workers did the grading: one task per student finished on a worker.
    assert sorted(k.split("-")[2] for k, _ in cluster.finished
                  if k.startswith("grader-kmeans_basics-")) == list(DEMO_STUDENTS)
    assert {w for _, w in cluster.finished} <= set(cluster.scheduler.workers)
    # Each worker forked its kernels from zygotes it kept for the batch, then closed them: its
    # log says how many, and together they served every student.
    closed = worker_log_lines(cluster, "warm kernels for kmeans_basics closed")
    assert len(closed) == 2, closed
    assert sum(int(re.search(r"forked (\d+) kernel", line)[1]) for line in closed) == 4
    assert all("1 zygote(s)" in line for line in closed)


def test_a_dask_batch_killed_midway_is_finished_by_resume(cluster, tmp_path, tmp_path_factory):
    """The client killed with SIGKILL once a submission is recorded: `--resume` on the cluster
    grades only what is missing, and the gradebook equals an uninterrupted local run's."""
    submissions, expected, _ = uninterrupted(tmp_path_factory)
    out = tmp_path / "out"
    command = grade_command(out, *submissions, jobs=None,
                            options=["--scheduler", cluster.scheduler_address])
    closed = len(worker_log_lines(cluster, "warm kernels for kmeans_basics closed"))
    kill_when(start(command, environment(None)), lambda: len(rows(out)) >= 1)
    before = set(rows(out))
    assert 1 <= len(before) < 6

    finished = run(command + ["--resume"], environment(None))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert set(graded_lines(finished.stdout)) == set(rows(out)) - before
    assert comparable(out) == comparable(expected)
    # The killed client never closed its workers' zygotes: the next batch replaced them (2),
    # then closed its own (2).
    assert len(worker_log_lines(cluster, "warm kernels for kmeans_basics closed")) == closed + 4


def worker_log_lines(cluster, text: str) -> list[str]:
    with distributed.Client(cluster, set_as_default=False) as client:
        logs = client.get_worker_logs()
    return [line for lines in logs.values() for _, line in lines if text in line]


class Finished(SchedulerPlugin):
    """Records (task key, worker) for every task a worker finished."""

    def __init__(self, finished: list) -> None:
        self.finished = finished

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory" and kwargs.get("worker"):
            self.finished.append((str(key), kwargs["worker"]))


def test_a_worker_without_the_exercise_says_what_to_install(cluster):
    from grader import BatchSettings
    from grader.grading.dask_batch import check_worker

    with distributed.Client(cluster, set_as_default=False) as client:
        found = client.submit(check_worker, "not_installed_here", "/no/such/course",
                              BatchSettings(), pure=False).result()
    assert "cannot find exercise 'not_installed_here'" in found["problem"]
    assert "GRADER_COURSE" in found["hint"] and "/no/such/course" in found["hint"]
