"""jobs_replay (on demand): embeds the dead-lettered chunks of a date range again (`jobs-embed --replay-dead-letters`;
the ones that succeed leave the dead-letter table), then validates and loads each chunk, per date chunk like
jobs_pipeline, and emits the serving-tables Asset.

Trigger with Params: start and end (required), chunk_days, stages (embed only, to replay without loading yet).
"""

from __future__ import annotations

from airflow.sdk import DAG, Param, get_current_context, task

from jobs_pipeline import alerts, flow, params, plan, settings

with DAG(
    dag_id="jobs_replay",
    description="Replay the dead letters of a date range, then validate and load it",
    schedule=None,
    start_date=settings.START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=settings.DEFAULT_ARGS | {"on_failure_callback": [alerts.JobsAlert()]},
    params={name: Param(**schema) for name, schema in params.REPLAY_SCHEMAS.items()},
    tags=["jobs", "kubernetes", "replay"],
    doc_md=__doc__,
):

    @task(retries=0)
    def plan_chunks() -> list[dict[str, list[str]]]:
        """One {stage: container arguments} per date chunk; embed with --replay-dead-letters."""
        context = get_current_context()
        run_params = dict(context["params"]) | {"replay_dead_letters": True}
        return plan.per_chunk(plan.plan(run_params, None, None, context["run_id"]))

    flow.build(plan_chunks())
