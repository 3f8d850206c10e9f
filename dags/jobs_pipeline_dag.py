"""jobs_pipeline: every date chunk runs ingest → chunk → embed → validate → load as its own mapped task group; the
days outside a chunk whose documents its ingest changed (a duplicate id changing hands) run the later stages again in
the same group (changed_days); then one publish task emits the serving-tables Asset (which schedules jobs_themes).

Scheduled daily for the previous UTC day. Trigger with Params to process a date range or only some stages (the
others are skipped); backfill scheduled intervals with `airflow backfill create --dag-id jobs_pipeline ...`.
Settings, planning, pods, the operator and alerts are plain, unit-tested code in jobs_pipeline/ (see dags/README.md).
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, Param, get_current_context, task

from jobs_pipeline import alerts, flow, params, plan, settings

with DAG(
    dag_id="jobs_pipeline",
    description="Dated text → chunks → embeddings → quality gate → PostgreSQL + pgvector, per date chunk",
    schedule=CronDataIntervalTimetable(settings.SCHEDULE, timezone="UTC"),
    start_date=settings.START_DATE,
    catchup=False,
    max_active_runs=settings.MAX_ACTIVE_RUNS,
    default_args=settings.DEFAULT_ARGS | {"on_failure_callback": [alerts.JobsAlert()]},
    params={name: Param(**schema) for name, schema in params.SCHEMAS.items()},
    tags=["jobs", "kubernetes"],
    doc_md=__doc__,
):

    @task(retries=0)  # bad Params or a range over the maximum do not improve on retry
    def plan_chunks() -> list[dict[str, list[str]]]:
        """One {stage: container arguments} per date chunk of this run; [] for a stage not selected."""
        return plan.per_chunk(plan.from_context(get_current_context()))

    flow.build(plan_chunks())
