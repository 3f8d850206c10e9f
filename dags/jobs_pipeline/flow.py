"""The per-chunk flow shared by jobs_pipeline and jobs_replay: one mapped task group per date chunk, then one publish
task that emits the serving-tables Asset.

``per_chunk`` is a ``@task_group`` mapped with ``expand_kwargs`` over the planner's list of {stage: arguments}, so each
chunk runs ingest → chunk → embed → validate → load → validate_load (``validate --after load``: the serving store
checked against the lake) on its own: chunk 3's load starts when chunk 3 is validated, a
failed chunk holds back only its own later stages, and clearing one chunk's task (map index) re-runs just that chunk.
(``expand_kwargs`` rather than ``expand``: a group argument is resolved as a whole per map index and cannot be
subscripted, so each stage's arguments are their own keyword.) Pools on the embed and load tasks still bound the
embedding endpoint and the database across chunks and runs.

A chunk's ingest can change documents of days outside its chunk (a duplicate id changing hands moves the other day's
record to quarantine, or back): its pod's result (XCom) names those days. After every chunk is done,
``plan_changed_days`` gathers them from all chunks' ingest results and the same group, as ``changed_days``, runs the
run's later stages (chunk → embed → validate → load → validate_load, no ingest) for them, so their chunks, vectors and
PostgreSQL rows follow. It runs even when a chunk failed (the other days changed anyway); no day named, no task runs.
Days inside this run's own range are run again too: whether their chunk stage ran before or after the ingest that
changed them is not known (every stage is idempotent; unchanged chunks and vectors are reused).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, get_current_context, task, task_group

from . import plan, pods, settings
from .operator import StagePodOperator

SERVING_TABLES = Asset(name=settings.SERVING_ASSET_NAME, uri=settings.SERVING_ASSET_URI, group="jobs")
GROUP_ID = "per_chunk"
CHANGED_GROUP_ID = "changed_days"


@task_group(group_id=GROUP_ID)
def per_chunk(ingest: list[str], chunk: list[str], embed: list[str], validate: list[str], load: list[str],
              validate_load: list[str]) -> Any:  # fmt: skip
    """One date chunk through every stage; a stage with no arguments (not selected) skips itself."""
    arguments = {"ingest": ingest, "chunk": chunk, "embed": embed, "validate": validate, "load": load,
                 "validate_load": validate_load}  # fmt: skip
    previous = None
    for stage in settings.STAGES:
        current = StagePodOperator(**pods.stage_task_kwargs(stage), arguments=arguments[stage])
        if previous is not None:
            previous >> current
        previous = current
    return previous


# One unmapped task after every chunk's load (and its after-load check): a mapped task would emit one Asset event per chunk (and trigger the
# themes DAG once per chunk). It runs when no chunk failed and at least one load succeeded; after a failed chunk is
# fixed (clear it with its downstream tasks), it runs and emits then.
@task(task_id="publish", retries=0, outlets=[SERVING_TABLES], trigger_rule="none_failed_min_one_success")
def publish() -> None:
    """The serving tables changed: the Asset event schedules jobs_themes."""


# all_done: after every chunk, whatever became of it; the ingest results come as one list over the chunks (a task
# outside a mapped group gets every map index's XCom; a chunk whose ingest did not succeed has none).
@task(task_id="plan_changed_days", retries=0, trigger_rule="all_done")
def plan_changed_days(ingest_results: Any) -> list[dict[str, list[str]]]:
    """One {stage: arguments} per chunk of the days other chunks' ingest changed; [] when none."""
    context = get_current_context()
    days = plan.changed_days(list(ingest_results or []))
    return plan.per_chunk(plan.plan_changed_days(days, context["params"], context["run_id"])) if days else []


def build(plan_task: Any) -> None:
    """Wires ``plan_task`` (returns one {stage: arguments} per chunk) → per_chunk (mapped) → plan_changed_days →
    changed_days (mapped) → publish."""
    loads = per_chunk.expand_kwargs(plan_task)
    ingest = loads.dag.task_dict[f"{GROUP_ID}.ingest"]
    changed = plan_changed_days(ingest.output)
    loads >> changed
    changed_loads = per_chunk.override(group_id=CHANGED_GROUP_ID).expand_kwargs(changed)
    done = publish()
    loads >> done
    changed_loads >> done
