"""jobs_pipeline: ingest → chunk → embed → validate → load, one KubernetesPodOperator task per stage, mapped over
the date chunks of the run.

Scheduled daily for the previous UTC day. Trigger with Params to process a date range or only some stages (the
others are skipped); backfill scheduled intervals with `airflow backfill create --dag-id jobs_pipeline ...`.
Settings, planning and pod settings are plain, unit-tested code in jobs_pipeline/ (see dags/README.md).
"""

from __future__ import annotations

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, get_current_context, task

from jobs_pipeline import params, plan, pods, settings

with DAG(
    dag_id="jobs_pipeline",
    description="Dated text → chunks → embeddings → quality gate → PostgreSQL + pgvector",
    schedule=CronDataIntervalTimetable(settings.SCHEDULE, timezone="UTC"),
    start_date=settings.START_DATE,
    catchup=False,
    max_active_runs=settings.MAX_ACTIVE_RUNS,
    default_args=settings.DEFAULT_ARGS,
    params={name: Param(**schema) for name, schema in params.SCHEMAS.items()},
    tags=["jobs", "kubernetes"],
    doc_md=__doc__,
):

    # One small planning task per stage: expand() maps only over a task's return value (never over one key of a
    # multiple_outputs dict: "cannot map over XCom with custom key"). An empty list skips the stage's task.
    @task(retries=0)
    def chunk_arguments(stage: str) -> list[list[str]]:
        """The stage's container arguments, one list per date chunk of this run; [] when not selected."""
        return plan.from_context(get_current_context())[stage]

    upstream = None
    for stage in settings.STAGES:
        arguments = chunk_arguments.override(task_id=f"plan_{stage}")(stage)
        stage_task = KubernetesPodOperator.partial(**pods.stage_task_kwargs(stage)).expand(arguments=arguments)
        if upstream is not None:
            upstream >> stage_task
        upstream = stage_task
