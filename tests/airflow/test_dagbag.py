"""The authoritative DAG test: run it where Airflow IS installed (your CI image or staging), not on the build machines
here (no PyPI: Airflow cannot be installed, so tools/run-tests.sh does not collect this folder).

    pip install "apache-airflow==3.3.*" "apache-airflow-providers-cncf-kubernetes>=10.20,<11" pytest
    AIRFLOW__CORE__LOAD_EXAMPLES=False airflow db migrate && pytest tests/airflow

It loads dags/ through Airflow's own DagBag (import errors, cycles, Param validation, mapping rules) and runs one
DAG run in-process with dag.test(), marking the pod tasks successful so no cluster is needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

try:  # Airflow >= 3.1
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 2.x and 3.0
    from airflow.models import DagBag

DAGS = Path(__file__).resolve().parents[2] / "dags"
STAGES = ["ingest", "chunk", "embed", "validate", "load", "validate_load"]  # validate_load: validate --after load


@pytest.fixture(scope="module")
def dagbag():
    return DagBag(dag_folder=str(DAGS))  # no include_examples: removed from DagBag() in Airflow 3.3.0


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"jobs_pipeline", "jobs_themes", "jobs_replay"} <= set(dagbag.dag_ids)


def test_pipeline_structure(dagbag):
    dag = dagbag.get_dag("jobs_pipeline")
    assert set(dag.task_ids) == {f"{g}.{s}" for g in ("per_chunk", "changed_days") for s in STAGES} | {
        "plan_chunks", "plan_changed_days", "publish"}  # fmt: skip
    for upstream, downstream in zip(STAGES, STAGES[1:], strict=False):
        assert f"per_chunk.{upstream}" in dag.get_task(f"per_chunk.{downstream}").upstream_task_ids
    for stage in STAGES:
        assert dag.get_task(f"per_chunk.{stage}").retries >= 2
    timetable = dag.timetable  # the SDK's (field `expression`) or core's (`_expression`), depending on the version
    assert (getattr(timetable, "expression", None) or getattr(timetable, "_expression", None)) == "0 0 * * *"
    assert [o.name for o in dag.get_task("publish").outlets] == ["jobs_serving_tables"]


def test_one_run_plans_the_selected_stage_only(dagbag):
    dag = dagbag.get_dag("jobs_pipeline")
    run = dag.test(
        run_conf={"start": "2024-03-01", "end": "2024-03-15", "stages": ["embed"]},
        mark_success_pattern=r"^(per_chunk|changed_days)\.",  # the pod tasks: no cluster here
    )
    assert run.state == "success"


# The provider's own cleanup(), with the few methods that talk to the cluster replaced: exit 3 must fail without
# retries (AirflowFailException), exit 1 must stay retryable.
def _remote_pod(exit_code: int):
    from kubernetes.client import models as k8s

    terminated = k8s.V1ContainerStateTerminated(exit_code=exit_code, reason="Error", message=f"x exit {exit_code}: why")
    status = k8s.V1ContainerStatus(name="base", image="jobs-load:0", image_id="", ready=False, restart_count=0,
                                   state=k8s.V1ContainerState(terminated=terminated))  # fmt: skip
    return k8s.V1Pod(metadata=k8s.V1ObjectMeta(name="p", namespace="jobs"),
                     status=k8s.V1PodStatus(phase="Failed", container_statuses=[status]))  # fmt: skip


@pytest.mark.parametrize(("exit_code", "fails_at_once"), [(1, False), (2, True), (3, True), (4, True), (137, False)])
def test_real_provider_cleanup_is_turned_into_fail_or_retry(exit_code, fails_at_once):
    import sys
    from unittest import mock

    from airflow.exceptions import AirflowException, AirflowFailException

    sys.path.insert(0, str(DAGS))
    from jobs_pipeline.operator import StagePodOperator

    op = StagePodOperator(task_id="load", image="jobs-load:0", arguments=["--start", "2024-03-01"])
    pod = _remote_pod(exit_code)
    with mock.patch.multiple(StagePodOperator, is_istio_enabled=mock.DEFAULT, patch_already_checked=mock.DEFAULT,
                             process_pod_deletion=mock.DEFAULT, _read_pod_container_states=mock.DEFAULT,
                             _read_pod_events=mock.DEFAULT) as patched:  # fmt: skip
        patched["is_istio_enabled"].return_value = False
        with pytest.raises(AirflowException) as caught:
            op.cleanup(pod=pod, remote_pod=pod)
    assert isinstance(caught.value, AirflowFailException) == fails_at_once
    assert f"exit {exit_code}" in str(caught.value)


def test_real_provider_pod_gets_the_runs_embedding_provider_as_env():
    """StagePodOperator.build_pod_request_obj adds the run's JOBS_MODEL__* keys to the provider's own pod."""
    import sys
    from unittest import mock

    from kubernetes.client import models as k8s

    sys.path.insert(0, str(DAGS))
    from jobs_pipeline.operator import StagePodOperator

    op = StagePodOperator(task_id="embed", image="jobs-embed:0", arguments=["--start", "2024-03-01"],
                          env_vars=[k8s.V1EnvVar(name="JOBS_EMBED__BATCHSIZE", value="32")])  # fmt: skip
    params = {"embedding_provider": "tei", "embedding_endpoint": "http://tei:8080", "served_model": None}
    with mock.patch.object(StagePodOperator, "_get_ti_pod_labels", return_value={}, create=True):
        pod = op.build_pod_request_obj({"params": params})
    (base,) = [c for c in pod.spec.containers if c.name == op.base_container_name]
    env = {e.name: e.value for e in base.env}
    assert env == {"JOBS_EMBED__BATCHSIZE": "32", "JOBS_MODEL__PROVIDER": "tei", "JOBS_MODEL__ENDPOINT": "http://tei:8080"}
