"""Imports dags/jobs_pipeline_dag.py against the Airflow stand-in (STAND-IN, NOT AIRFLOW: tests/dags/standin) and
checks what the DAGs declare: schedule, Params, tasks and their order, mapping, retries, pools, pods, alerts, Assets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from airflow._standin import MappedArgument, run_python_task
from airflow.exceptions import ParamValidationError
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable, CronTriggerTimetable
from conftest import load_dag_module
from jobs_pipeline import settings
from jobs_pipeline.operator import StagePodOperator

STAGES = ["ingest", "chunk", "embed", "validate", "load", "validate_load"]  # validate_load: validate --after load
SELECTABLE = STAGES[:5]
GROUP = "per_chunk"
CHANGED = "changed_days"
UTC = timezone.utc


def test_dag_is_daily_on_data_intervals_without_catchup(pipeline_dag):
    assert pipeline_dag.dag_id == "jobs_pipeline"
    assert isinstance(pipeline_dag.schedule, CronDataIntervalTimetable)
    # Five fields, not "@daily": Airflow 3.2.0-3.2.1 hand the expression to croniter, which refuses presets.
    assert pipeline_dag.schedule.expression == "0 0 * * *" and pipeline_dag.schedule.timezone == "UTC"
    assert pipeline_dag.catchup is False and pipeline_dag.max_active_runs == 1
    assert pipeline_dag.tags and pipeline_dag.doc_md


def test_tasks_are_a_planner_a_mapped_group_of_the_five_stages_the_same_group_for_changed_days_and_one_publish_task(pipeline_dag):
    assert sorted(pipeline_dag.task_ids) == sorted(["plan_chunks", "plan_changed_days", "publish"]
                                                   + [f"{g}.{s}" for g in (GROUP, CHANGED) for s in STAGES])  # fmt: skip
    for group, planner in ((GROUP, "plan_chunks"), (CHANGED, "plan_changed_days")):
        for stage in STAGES:
            task = pipeline_dag.task_dict[f"{group}.{stage}"]
            assert isinstance(task, StagePodOperator) and isinstance(task, KubernetesPodOperator)
            assert task.task_group.is_mapped and task.task_group.kind == "list_of_dicts"  # expand_kwargs
            assert task.task_group.expand_input.operator.task_id == planner
            assert isinstance(task.kwargs["arguments"], MappedArgument) and task.kwargs["arguments"].key == stage
    # Only ingest pushes its result (the days it changed outside its chunk) as XCom, which plan_changed_days reads.
    assert [s for s in STAGES if pipeline_dag.task_dict[f"{GROUP}.{s}"].kwargs["do_xcom_push"]] == ["ingest"]
    changed = pipeline_dag.task_dict["plan_changed_days"]
    assert changed.trigger_rule == "all_done" and changed.upstream_task_ids == {f"{GROUP}.ingest", f"{GROUP}.validate_load"}
    publish = pipeline_dag.task_dict["publish"]
    assert publish.task_group is None  # unmapped: one Asset event per run, not one per chunk
    assert [a.name for a in publish.kwargs["outlets"]] == ["jobs_serving_tables"]


def test_stages_run_in_pipeline_order_within_each_chunk(pipeline_dag):
    for upstream, downstream in zip(STAGES, STAGES[1:], strict=False):
        assert pipeline_dag.task_dict[f"{GROUP}.{downstream}"].upstream_task_ids == {f"{GROUP}.{upstream}", "plan_chunks"}
    assert pipeline_dag.task_dict[f"{GROUP}.ingest"].upstream_task_ids == {"plan_chunks"}
    assert pipeline_dag.task_dict["publish"].upstream_task_ids == {f"{GROUP}.validate_load", f"{CHANGED}.validate_load"}
    assert pipeline_dag.task_dict["publish"].trigger_rule == "none_failed_min_one_success"


def test_unselected_stages_are_skipped_not_failed(pipeline_dag):
    # A stage without arguments skips itself; none_failed lets the chunk's later stages still run.
    for stage in STAGES:
        assert pipeline_dag.task_dict[f"{GROUP}.{stage}"].trigger_rule == "none_failed"


def test_every_pod_task_retries_with_exponential_backoff_and_alerts_on_failure(pipeline_dag):
    for stage in STAGES:
        task = pipeline_dag.task_dict[f"{GROUP}.{stage}"]
        assert task.retries >= 2
        assert task.retry_exponential_backoff == 2.0
        assert task.max_retry_delay >= timedelta(minutes=10)
        assert task.execution_timeout is not None
    for task in pipeline_dag.tasks:
        assert [type(c).__name__ for c in task.kwargs["on_failure_callback"]] == ["JobsAlert"]


def test_planning_task_fails_fast(pipeline_dag):
    assert pipeline_dag.task_dict["plan_chunks"].kwargs["retries"] == 0  # bad Params do not improve on retry


def test_pools_throttle_the_embedding_endpoint_and_the_database(pipeline_dag):
    pools = {s: pipeline_dag.task_dict[f"{GROUP}.{s}"].pool for s in STAGES}
    assert pools == {"ingest": "default_pool", "chunk": "default_pool", "embed": "jobs_embedding",
                     "validate": "default_pool", "load": "jobs_database", "validate_load": "jobs_database"}  # fmt: skip


def test_pods_pin_images_and_set_resources_labels_and_lifecycle(pipeline_dag):
    for stage in STAGES:
        kw = pipeline_dag.task_dict[f"{GROUP}.{stage}"].kwargs
        image = "validate" if stage == "validate_load" else stage  # the after-load check is the validate image
        assert kw["image"] == f"jobs-{image}:{settings.IMAGE_TAG}"
        assert kw["namespace"] == settings.NAMESPACE and kw["name"] == f"jobs-{stage.replace('_', '-')}"
        assert kw["container_resources"].requests["cpu"] and kw["container_resources"].limits["memory"]
        assert kw["labels"]["app.kubernetes.io/component"] == stage
        assert kw["labels"]["app.kubernetes.io/part-of"] == "jobs-pipeline"
        assert kw["on_finish_action"] == "delete_succeeded_pod"
        assert kw["startup_timeout_seconds"] >= 120 and kw["termination_grace_period"] >= 30
        assert "cmds" not in kw and "skip_on_exit_code" not in kw  # entrypoint = the stage CLI; exit codes: operator


def test_pods_run_non_root_read_only_without_api_token(pipeline_dag):
    for stage in STAGES:
        kw = pipeline_dag.task_dict[f"{GROUP}.{stage}"].kwargs
        assert kw["service_account_name"] == settings.SERVICE_ACCOUNT and kw["automount_service_account_token"] is False
        assert kw["security_context"].run_as_non_root and kw["security_context"].run_as_user == 1654
        assert kw["container_security_context"].read_only_root_filesystem is True
        assert kw["container_security_context"].capabilities.drop == ["ALL"]
        mounts = {m.mount_path: m.name for m in kw["volume_mounts"]}
        assert mounts == {"/data": "data", "/tmp": "tmp"}
        claims = [v.persistent_volume_claim.claim_name for v in kw["volumes"] if v.persistent_volume_claim]
        assert claims == [settings.DATA_PVC]


def test_database_secret_can_point_at_the_cloudnativepg_app_secret(monkeypatch):
    from jobs_pipeline import pods

    assert (settings.DATABASE_SECRET, settings.DATABASE_SECRET_KEY) == (settings.SECRET, "JOBS_PG")  # the default
    monkeypatch.setattr(settings, "DATABASE_SECRET", "jobs-pg-app")
    monkeypatch.setattr(settings, "DATABASE_SECRET_KEY", "uri")
    secret = pods.stage_task_kwargs("load")["secrets"][0]
    assert (secret.deploy_target, secret.secret, secret.key) == ("JOBS_PG", "jobs-pg-app", "uri")


def test_configuration_comes_from_the_config_map_and_only_the_database_stages_get_its_secret(pipeline_dag):
    for stage in STAGES:
        kw = pipeline_dag.task_dict[f"{GROUP}.{stage}"].kwargs
        assert [e.config_map_ref.name for e in kw["env_from"]] == [settings.CONFIG_MAP]
        secrets = [(s.deploy_type, s.deploy_target, s.secret, s.key) for s in kw["secrets"]]
        expected = [("env", "JOBS_PG", settings.DATABASE_SECRET, settings.DATABASE_SECRET_KEY)]
        assert secrets == (expected if stage in ("load", "validate_load") else [])
        # The stage's own settings, as the same configuration keys the ConfigMap uses; never a secret.
        names = [e.name for e in kw["env_vars"]]
        assert all(n.startswith(f"JOBS_{stage.upper()}__") for n in names), names
        assert "--after load" not in " ".join(names)  # validate_load's check point is an argument (plan)
        assert all(e.value_from is None for e in kw["env_vars"])
        assert bool(names) == (stage == "ingest")


def test_a_lake_in_object_storage_gives_every_stage_the_storage_secret(monkeypatch):
    from jobs_pipeline import pods

    monkeypatch.setattr(settings, "STORAGE_SECRET_KEY", "AZURE_STORAGE_CONNECTION_STRING")
    for stage in STAGES:
        secrets = {s.deploy_target: (s.secret, s.key) for s in pods.stage_task_kwargs(stage)["secrets"]}
        assert secrets["AZURE_STORAGE_CONNECTION_STRING"] == (settings.SECRET, "AZURE_STORAGE_CONNECTION_STRING")
        assert ("JOBS_PG" in secrets) == (stage in ("load", "validate_load"))


def test_a_model_api_key_reaches_only_the_embed_pod_and_only_from_the_secret(monkeypatch):
    from jobs_pipeline import pods

    assert all(s.deploy_target != "JOBS_MODEL__APIKEY" for s in pods.stage_task_kwargs("embed")["secrets"])  # default
    monkeypatch.setattr(settings, "MODEL_API_KEY_SECRET_KEY", "EMBEDDING_API_KEY")
    for stage in STAGES:
        kw = pods.stage_task_kwargs(stage)
        secrets = {s.deploy_target: (s.deploy_type, s.secret, s.key) for s in kw["secrets"]}
        assert ("JOBS_MODEL__APIKEY" in secrets) == (stage == "embed")
        assert all("APIKEY" not in e.name for e in kw["env_vars"])
    embed = {s.deploy_target: (s.deploy_type, s.secret, s.key) for s in pods.stage_task_kwargs("embed")["secrets"]}
    assert embed["JOBS_MODEL__APIKEY"] == ("env", settings.SECRET, "EMBEDDING_API_KEY")


def test_params_have_valid_defaults_and_validate_a_backfill_of_one_stage(pipeline_dag):
    assert set(pipeline_dag.params) == {"start", "end", "chunk_days", "stages", "embedding_provider",
                                        "embedding_endpoint", "served_model", "full_refresh"}  # fmt: skip
    defaults = pipeline_dag.resolve_params()
    assert defaults["embedding_provider"] is None  # the deployment's provider (the ConfigMap), not an override
    assert defaults["stages"] == SELECTABLE and defaults["start"] is None and defaults["full_refresh"] is False
    conf = {"start": "2024-03-01", "end": "2024-04-01", "stages": ["embed"]}
    assert pipeline_dag.resolve_params(conf)["stages"] == ["embed"]


@pytest.mark.parametrize(
    "conf",
    [{"start": "March"}, {"chunk_days": 0}, {"stages": ["theme"]}, {"embedding_provider": "bert"}, {"unknown": 1},
     {"stages": []}, {"stages": ["validate_load"]}, {"embedding_endpoint": "tei:8080"}],
)  # fmt: skip
def test_params_reject_bad_trigger_conf(pipeline_dag, conf):
    with pytest.raises(ParamValidationError):
        pipeline_dag.resolve_params(conf)


def _context(params, start=None, end=None, run_id="manual__2026-03-05"):
    return {"params": params, "run_id": run_id, "data_interval_start": start, "data_interval_end": end}


def test_planning_task_gives_each_chunk_its_stages_arguments_and_nothing_to_unselected_ones(pipeline_dag):
    params = pipeline_dag.resolve_params({"start": "2024-03-01", "end": "2024-04-01", "stages": ["embed"]})
    chunks = run_python_task(pipeline_dag, "plan_chunks", _context(params))
    assert len(chunks) == 5 and all(list(c) == STAGES for c in chunks)
    assert [bool(c[s]) for c in chunks for s in STAGES] == [s == "embed" for _ in chunks for s in STAGES]
    loads = run_python_task(pipeline_dag, "plan_chunks", _context(params | {"stages": ["load"]}))
    assert all(c["validate_load"][8:] == ["--after", "load"] for c in loads)  # the check follows load
    assert chunks[0]["embed"][:6] == ["--start", "2024-03-01", "--end", "2024-03-08", "--run-id", "manual__2026-03-05"]


def test_scheduled_run_plans_one_chunk_for_its_day(pipeline_dag):
    start = datetime(2026, 3, 4, tzinfo=UTC)
    context = _context(pipeline_dag.resolve_params(), start, start + timedelta(days=1), "scheduled__2026-03-04")
    (chunk,) = run_python_task(pipeline_dag, "plan_chunks", context)
    for stage in STAGES:
        assert chunk[stage][:4] == ["--start", "2026-03-04", "--end", "2026-03-05"]


def test_a_range_over_the_maximum_is_refused_by_the_planning_task(pipeline_dag):
    params = pipeline_dag.resolve_params({"start": "1924-01-01", "end": "2024-01-01"})
    with pytest.raises(ValueError, match=f"over the maximum of {settings.MAX_RANGE_DAYS}"):
        run_python_task(pipeline_dag, "plan_chunks", _context(params))


def test_replay_dag_is_manual_with_a_required_range_and_replays_in_embed_only():
    (replay,) = load_dag_module("jobs_replay_dag")
    assert replay.schedule is None and replay.max_active_runs == 1
    with pytest.raises(ParamValidationError):
        replay.resolve_params({})  # start and end are required
    with pytest.raises(ParamValidationError):
        replay.resolve_params({"start": "2024-03-01", "end": "2024-03-08", "stages": ["ingest"]})
    params = replay.resolve_params({"start": "2024-03-01", "end": "2024-03-15"})
    chunks = run_python_task(replay, "plan_chunks", _context(params, run_id="manual__replay"))
    assert [c["embed"][-1] for c in chunks] == ["--replay-dead-letters"] * 2
    assert all(c["ingest"] == [] and c["chunk"] == [] and "--replay-dead-letters" not in c["load"] for c in chunks)


def test_themes_dag_is_scheduled_on_the_serving_asset_and_weekly():
    from jobs_pipeline import flow

    (themes,) = load_dag_module("jobs_themes_dag")
    assert isinstance(themes.schedule, AssetOrTimeSchedule)
    assert themes.schedule.assets == [flow.SERVING_TABLES]
    assert isinstance(themes.schedule.timetable, CronTriggerTimetable)
    assert themes.schedule.timetable.expression == settings.THEME_SCHEDULE
    theme = themes.task_dict["theme"]
    assert isinstance(theme, StagePodOperator) and theme.kwargs["image"] == f"jobs-theme:{settings.IMAGE_TAG}"
    assert theme.upstream_task_ids == {"plan_theme"} and theme.pool == settings.DATABASE_POOL
    assert [s.deploy_target for s in theme.kwargs["secrets"]] == ["JOBS_PG"]  # themes are loaded for serving
