"""jobs_themes: the theme stage over a window (default: the THEME_WINDOW_DAYS days before the run), after every
jobs_pipeline or jobs_replay run that loaded something (the serving-tables Asset) and weekly on Mondays.

With JOBS_PG (from the database Secret) the stage also loads the themes into the serving store. Trigger with start and
end Params to theme another window.
"""

from __future__ import annotations

from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Param, get_current_context, task

from jobs_pipeline import alerts, flow, params, plan, pods, settings
from jobs_pipeline.operator import StagePodOperator

with DAG(
    dag_id="jobs_themes",
    description="Themes of the collection over a window (k-means, keywords, stable ids, sizes per period)",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(settings.THEME_SCHEDULE, timezone="UTC"), assets=[flow.SERVING_TABLES]
    ),
    start_date=settings.START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=settings.DEFAULT_ARGS | {"on_failure_callback": [alerts.JobsAlert()]},
    params={name: Param(**schema) for name, schema in params.THEME_SCHEMAS.items()},
    tags=["jobs", "kubernetes", "themes"],
    doc_md=__doc__,
):

    @task(retries=0)
    def plan_theme() -> list[str]:
        """The theme stage's container arguments for this run's window."""
        context = get_current_context()
        return plan.theme_arguments(context["params"], plan.run_day(context), context["run_id"])

    StagePodOperator(**pods.stage_task_kwargs("theme"), arguments=plan_theme())
