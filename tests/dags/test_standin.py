"""Negative tests of the Airflow stand-in (STAND-IN, NOT AIRFLOW): it must reject what Airflow 3.3 / provider 10.x
reject, or the structure tests in test_dag_structure.py would prove nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from airflow.exceptions import AirflowConfigException, AirflowNotFoundException, DuplicateTaskIdFound
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from airflow.sdk import (
    DAG,
    Asset,
    AssetOrTimeSchedule,
    BaseHook,
    BaseNotifier,
    CronDataIntervalTimetable,
    CronTriggerTimetable,
    Param,
    get_current_context,
    task,
    task_group,
)
from conftest import load_dag_module
from jobs_pipeline import pods

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def dag():
    with DAG("standin_probe", schedule=None, start_date=START) as d:
        yield d


@task
def produce() -> list[list[str]]:
    return [["--start", "2026-01-01"]]


@task(multiple_outputs=True)
def produce_dict() -> dict:
    return {"ingest": [[]]}


def test_partial_rejects_a_misspelt_argument_like_airflow(dag):
    with pytest.raises(TypeError, match="KubernetesPodOperator.partial\\(\\) got an unexpected keyword argument 'on_finish_actoin'"):
        KubernetesPodOperator.partial(task_id="t", on_finish_actoin="keep_pod")


def test_constructor_rejects_unknown_arguments_like_airflow(dag):
    with pytest.raises(TypeError, match="Invalid arguments were passed to KubernetesPodOperator"):
        KubernetesPodOperator(task_id="t", image="x:1", resources_limit={"cpu": "1"})


def test_schedule_interval_is_gone_in_airflow_3():
    with pytest.raises(TypeError, match="unexpected keyword argument 'schedule_interval'"):
        DAG("d", schedule_interval="@daily")


def test_on_finish_action_must_be_a_known_action(dag):
    with pytest.raises(ValueError, match="not a valid OnFinishAction"):
        KubernetesPodOperator.partial(task_id="t", on_finish_action="delete")


def test_expand_over_one_key_of_a_multiple_outputs_task_is_refused(dag):
    out = produce_dict()
    with pytest.raises(ValueError, match="cannot map over XCom with custom key 'ingest'"):
        KubernetesPodOperator.partial(task_id="t", image="x:1").expand(arguments=out["ingest"])


def test_expand_needs_a_mappable_value(dag):
    with pytest.raises(ValueError, match="unexpected type 'str' for keyword argument arguments"):
        KubernetesPodOperator.partial(task_id="t", image="x:1").expand(arguments="--start 2026-01-01")


def test_expand_refuses_arguments_already_given_to_partial(dag):
    with pytest.raises(TypeError, match="already specified argument: arguments"):
        KubernetesPodOperator.partial(task_id="t", arguments=[]).expand(arguments=produce())


def test_expand_refuses_unknown_arguments(dag):
    with pytest.raises(TypeError, match="expand\\(\\) got an unexpected keyword argument 'argument'"):
        KubernetesPodOperator.partial(task_id="t").expand(argument=produce())


def test_trigger_rule_must_exist(dag):
    with pytest.raises(ValueError, match="The trigger_rule must be one of"):
        KubernetesPodOperator.partial(task_id="t", trigger_rule="none_failed_or_skipped")


def test_airflow_2_boolean_backoff_is_refused_on_airflow_3(dag):
    with pytest.raises(TypeError, match="float multiplier"):
        KubernetesPodOperator.partial(task_id="t", retry_exponential_backoff=True)


def test_kubernetes_arguments_must_be_model_objects(dag):
    with pytest.raises(TypeError, match="container_resources"):
        KubernetesPodOperator.partial(task_id="t", container_resources={"requests": {"cpu": "1"}})


def test_duplicate_task_ids_are_refused(dag):
    KubernetesPodOperator.partial(task_id="t").expand(arguments=[[]])
    with pytest.raises(DuplicateTaskIdFound):
        KubernetesPodOperator.partial(task_id="t").expand(arguments=[[]])


def test_scheduled_dag_needs_valid_param_defaults():
    with pytest.raises(ValueError, match="not allowed to define a Schedule"):
        DAG("d", schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"), start_date=START,
            params={"chunk_days": Param(0, type="integer", minimum=1)})  # fmt: skip


def test_param_schema_typos_are_refused():
    with pytest.raises(ValueError, match="unknown keywords \\['minumum'\\]"):
        Param(1, type="integer", minumum=1)


def test_default_args_typos_are_refused():
    with pytest.raises(TypeError, match="retry_exponential_backof"):
        DAG("d", default_args={"retry_exponential_backof": 2.0})


def test_task_decorator_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'retry'"):
        task(retry=0)(lambda: None)


def test_secret_checks_its_deploy_type_and_target():
    with pytest.raises(AirflowConfigException):
        Secret("envvar", "JOBS_PG", "jobs-secrets", "JOBS_PG")
    with pytest.raises(AirflowConfigException):
        Secret("env", None, "jobs-secrets", "JOBS_PG")


def test_context_exists_only_inside_a_task():
    with pytest.raises(RuntimeError, match="no context was found"):
        get_current_context()


def test_tasks_need_a_dag():
    with pytest.raises(RuntimeError, match="outside a DAG"):
        KubernetesPodOperator.partial(task_id="t").expand(arguments=[[]])


def test_a_typo_in_the_dags_pod_settings_makes_the_dag_file_fail_to_import(monkeypatch):
    original = pods.stage_task_kwargs
    monkeypatch.setattr(pods, "stage_task_kwargs", lambda stage: original(stage) | {"startup_timeout": 600})
    with pytest.raises(TypeError, match="(?s)Invalid arguments were passed to StagePodOperator.*startup_timeout"):
        load_dag_module()


def test_timetable_field_is_expression_not_cron():
    assert CronDataIntervalTimetable(expression="0 0 * * *", timezone="UTC").expression == "0 0 * * *"
    with pytest.raises(TypeError, match="unexpected keyword argument 'cron'"):
        CronDataIntervalTimetable(cron="0 0 * * *", timezone="UTC")


@pytest.mark.parametrize("expression", ["@daily", "0 0 * *", "every day"])
def test_cron_presets_and_bad_expressions_are_refused(expression):
    with pytest.raises(ValueError, match="Invalid cron expression"):
        CronDataIntervalTimetable(expression, timezone="UTC")


def test_asset_or_time_schedule_takes_keywords_and_assets():
    timetable = CronTriggerTimetable("0 3 * * 1", timezone="UTC")
    with pytest.raises(TypeError):
        AssetOrTimeSchedule(timetable, [Asset("a")])  # keyword-only, like attrs kw_only
    with pytest.raises(TypeError, match="Asset"):
        AssetOrTimeSchedule(timetable=timetable, assets=["jobs://serving-store/chunks"])
    with pytest.raises(ValueError, match="reserved"):
        Asset(name="x", uri="airflow://x")


def test_mapped_task_group_arguments_cannot_be_subscripted_and_expand_kwargs_needs_dicts(dag):
    @task_group
    def group(arguments):
        KubernetesPodOperator(task_id="t", image="x:1", arguments=arguments["embed"])

    with pytest.raises(TypeError, match="not subscriptable"):
        group.expand(arguments=produce())
    with pytest.raises(TypeError, match="expected XComArg or list\\[dict\\]"):
        group.expand_kwargs("--start")


def test_mapped_task_group_tasks_are_prefixed_and_linked_to_the_expand_input(dag):
    @task_group(group_id="g")
    def group(arguments):
        return KubernetesPodOperator(task_id="t", image="x:1", arguments=arguments)

    out = group.expand(arguments=produce())
    assert out.task_id == "g.t" and out.task_group.is_mapped and out.upstream_task_ids == {"produce"}


def test_notifier_logs_instead_of_raising(caplog):
    class Broken(BaseNotifier):
        def notify(self, context):
            raise ConnectionError("webhook down")

    Broken()({"dag": None})
    assert "Failed to send notification: webhook down" in caplog.text


def test_connections_come_from_the_environment_as_uri_or_json(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_HOOK", "https://hooks.example.org:8443/services%2FT1?endpoint=x")
    conn = BaseHook.get_connection("hook")
    assert (conn.conn_type, conn.host, conn.port, conn.schema, conn.extra_dejson) == (
        "https", "hooks.example.org", 8443, "services/T1", {"endpoint": "x"})
    monkeypatch.setenv("AIRFLOW_CONN_MAIL", '{"conn_type": "smtp", "host": "127.0.0.1", "extra": {"to": ["a@b"]}}')
    assert BaseHook.get_connection("mail").extra_dejson == {"to": ["a@b"]}
    with pytest.raises(AirflowNotFoundException):
        BaseHook.get_connection("missing")
