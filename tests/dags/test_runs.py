"""Whole DAG runs in the stand-in (STAND-IN, NOT AIRFLOW: tests/dags/standin/airflow/_run.py plays Airflow's
scheduling, trigger rules, retries and callbacks): pods "run" on a fake cluster that returns remote pods whose status
is shaped like the Kubernetes API's (V1Pod / V1PodStatus / V1ContainerStatus / V1ContainerStateTerminated), and the
alerts go over real HTTP to a receiver on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from airflow._run import run_dag
from conftest import load_dag_module
from kubernetes.client import models as k8s

UTC = timezone.utc
FIVE_CHUNKS = {"start": "2024-03-01", "end": "2024-04-05", "chunk_days": 7}  # 5 weekly chunks
CHUNK_STARTS = ["2024-03-01", "2024-03-08", "2024-03-15", "2024-03-22", "2024-03-29"]
GROUP = "per_chunk"


# ------------------------------------------------------------------------------------------- a cluster's answers


def _status(name: str, image: str, state: k8s.V1ContainerState) -> k8s.V1ContainerStatus:
    return k8s.V1ContainerStatus(name=name, image=image, image_id="", ready=False, restart_count=0, state=state)


def exited(code: int, message: str | None = None, reason: str | None = None):
    """The base container ran and exited with ``code`` (message: what the stage wrote to /dev/termination-log)."""

    def answer(pod: k8s.V1Pod) -> k8s.V1Pod:
        terminated = k8s.V1ContainerStateTerminated(exit_code=code, reason=reason or ("Completed" if code == 0 else "Error"),
                                                    message=message)  # fmt: skip
        container = pod.spec.containers[0]
        pod.status = k8s.V1PodStatus(phase="Succeeded" if code == 0 else "Failed",
                                     container_statuses=[_status(container.name, container.image, k8s.V1ContainerState(terminated=terminated))])  # fmt: skip
        return pod

    return answer


def ingest_result(changed_days: list[str]):
    """Ingest exited 0 and left its result in /airflow/xcom/return.json (what --result-file writes)."""

    def answer(pod: k8s.V1Pod) -> tuple[k8s.V1Pod, str]:
        args = pod.spec.containers[0].args
        assert args[args.index("--result-file") + 1] == "/airflow/xcom/return.json"
        result = {"stage": "ingest", "run_id": args[args.index("--run-id") + 1], "start": args[1], "end": args[3],
                  "rows": 10, "counts": {"accepted": 10}, "changed_days": changed_days}  # fmt: skip
        return exited(0)(pod), json.dumps(result)

    return answer


def oom_killed(pod: k8s.V1Pod) -> k8s.V1Pod:
    return exited(137, None, "OOMKilled")(pod)


def evicted(pod: k8s.V1Pod) -> k8s.V1Pod:
    pod.status = k8s.V1PodStatus(phase="Failed", reason="Evicted", message="The node was low on resource: memory.",
                                 container_statuses=[])  # fmt: skip
    return pod


def image_pull_failed(pod: k8s.V1Pod) -> k8s.V1Pod:
    container = pod.spec.containers[0]
    waiting = k8s.V1ContainerStateWaiting(reason="ErrImagePull", message=f"pull access denied for {container.image}")
    pod.status = k8s.V1PodStatus(phase="Pending", container_statuses=[_status(container.name, container.image, k8s.V1ContainerState(waiting=waiting))])  # fmt: skip
    return pod


class FakeCluster:
    """Answers each pod from a script keyed by (stage, first day): a list of answers, one per attempt (the last one
    repeats); anything unscripted succeeds. Records every pod it was asked to run."""

    def __init__(self, script: dict[tuple[str, str], list] | None = None) -> None:
        self.script = script or {}
        self.launched: list[tuple[str, list[str]]] = []
        self.env: list[tuple[str, dict[str, str]]] = []  # each launched pod's container env (besides envFrom)

    def __call__(self, pod: k8s.V1Pod) -> k8s.V1Pod:
        stage = pod.metadata.labels["app.kubernetes.io/component"]
        args = pod.spec.containers[0].args
        attempt = sum(1 for s, a in self.launched if s == stage and a == args)
        self.launched.append((stage, args))
        self.env.append((stage, {e.name: e.value for e in pod.spec.containers[0].env or []}))
        answers = self.script.get((stage, args[1]), [exited(0)])
        return answers[min(attempt, len(answers) - 1)](pod)

    def starts(self, stage: str) -> list[str]:
        return [args[1] for s, args in self.launched if s == stage]


# ------------------------------------------------------------------------------------------- an alert receiver


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler) -> None:  # noqa: N805
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                self.paths.append(handler.path)
                self.messages.append(json.loads(body))
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def receiver(monkeypatch):
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    conn = {"conn_type": "http", "host": "127.0.0.1", "port": server.server_address[1], "schema": "http",
            "extra": {"endpoint": "/services/T000/B000/XXXX"}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_JOBS_ALERTS", json.dumps(conn))
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.org")
    yield server
    server.shutdown()
    server.server_close()


def texts(receiver: Receiver) -> list[str]:
    return [m["text"] for m in receiver.messages]


@pytest.fixture
def pipeline():
    (dag,) = load_dag_module("jobs_pipeline_dag")
    return dag


# ------------------------------------------------------------------------------------------------------- tests


def test_five_chunks_where_chunk_2_fails_validation_load_chunks_1_3_4_5(pipeline, receiver):
    gate = "validate exit 4: quality gate: 12 of 310 chunks have no vector (max 0) [embeddings_complete]"
    cluster = FakeCluster({("validate", "2024-03-08"): [exited(4, gate)]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster, run_id="manual__2024-03")

    assert run.states(f"{GROUP}.validate") == {0: "success", 1: "failed", 2: "success", 3: "success", 4: "success"}
    assert run.states(f"{GROUP}.load") == {0: "success", 1: "upstream_failed", 2: "success", 3: "success", 4: "success"}
    assert cluster.starts("load") == ["2024-03-01", "2024-03-15", "2024-03-22", "2024-03-29"]
    # Each loaded chunk's store is checked against the lake (validate --after load), after its own load.
    assert run.states(f"{GROUP}.validate_load") == {0: "success", 1: "upstream_failed", 2: "success", 3: "success",
                                                    4: "success"}  # fmt: skip
    assert cluster.starts("validate_load") == cluster.starts("load")
    assert all(args[8:] == ["--after", "load"] for stage, args in cluster.launched if stage == "validate_load")
    assert run.tries(f"{GROUP}.validate", 1) == 1  # exit 4: not retried
    assert cluster.starts("validate").count("2024-03-08") == 1
    # A failed chunk holds back the Asset (the themes) until it is fixed, not the other chunks' loads.
    assert run.state("publish") == "upstream_failed" and run.asset_events == []

    (alert,) = texts(receiver)  # one message: the failed task (load of chunk 2 is upstream_failed, no callback)
    assert receiver.paths == ["/services/T000/B000/XXXX"]
    for part in ["jobs_pipeline", "manual__2024-03", "2024-03-08 to 2024-03-15", "Stage: validate",
                 "Exit code: 4 (quality gate failed)", gate, "quality gate failed",
                 "https://airflow.example.org/dags/jobs_pipeline/runs/manual__2024-03/tasks/per_chunk.validate/mapped/1"]:  # fmt: skip
        assert part in alert, f"{part!r} not in the alert:\n{alert}"


def test_a_store_that_disagrees_with_the_lake_after_load_fails_that_chunk_only(pipeline, receiver):
    mismatch = "validate exit 4: quality gate: 297 of 310 chunks in the store (lake 310) [store_matches_lake]"
    cluster = FakeCluster({("validate_load", "2024-03-15"): [exited(4, mismatch)]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster, run_id="manual__2024-03")
    assert run.states(f"{GROUP}.load") == dict.fromkeys(range(5), "success")
    assert run.states(f"{GROUP}.validate_load") == {0: "success", 1: "success", 2: "failed", 3: "success", 4: "success"}
    assert run.tries(f"{GROUP}.validate_load", 2) == 1 and cluster.starts("validate_load").count("2024-03-15") == 1
    assert run.state("publish") == "upstream_failed" and run.asset_events == []  # no themes over a bad store
    (alert,) = texts(receiver)
    for part in ["2024-03-15 to 2024-03-22", "Stage: validate_load", "Exit code: 4 (quality gate failed)", mismatch]:
        assert part in alert, f"{part!r} not in the alert:\n{alert}"


def test_a_runs_embedding_provider_reaches_the_embed_pod_as_its_model_keys(pipeline, receiver):
    cluster = FakeCluster()
    conf = {"start": "2024-03-01", "end": "2024-03-15", "embedding_provider": "tei",
            "embedding_endpoint": "http://tei.jobs:8080", "served_model": "arctic-xs"}  # fmt: skip
    run = run_dag(pipeline, conf, cluster=cluster)
    assert run.state("publish") == "success"
    model = {stage: {k: v for k, v in env.items() if k.startswith("JOBS_MODEL__")} for stage, env in cluster.env}
    assert model.pop("embed") == {"JOBS_MODEL__PROVIDER": "tei", "JOBS_MODEL__ENDPOINT": "http://tei.jobs:8080",
                                  "JOBS_MODEL__SERVEDMODEL": "arctic-xs"}  # fmt: skip
    assert set(model) == {"ingest", "chunk", "validate", "load", "validate_load"} and not any(model.values())
    default = FakeCluster()
    run_dag(pipeline, {"start": "2024-03-01", "end": "2024-03-08"}, cluster=default)
    assert not any(k.startswith("JOBS_MODEL__") for _, env in default.env for k in env)  # the ConfigMap's stands


@pytest.mark.parametrize("code", [2, 3, 4])
def test_exit_2_3_4_fail_at_once_without_retries(pipeline, receiver, code):
    cluster = FakeCluster({("ingest", "2024-03-01"): [exited(code, f"ingest exit {code}: refused")]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.ingest", 0) == "failed" and run.tries(f"{GROUP}.ingest", 0) == 1
    assert cluster.starts("ingest").count("2024-03-01") == 1
    assert [run.state(f"{GROUP}.{s}", 0) for s in ("chunk", "embed", "validate", "load", "validate_load")] == [
        "upstream_failed"] * 5  # fmt: skip
    assert run.states(f"{GROUP}.load")[4] == "success"
    assert len(receiver.messages) == 1 and f"Exit code: {code}" in texts(receiver)[0]


def test_exit_1_is_retried_with_exponential_backoff_and_then_succeeds(pipeline, receiver):
    transient = exited(1, "embed exit 1: the embedding endpoint timed out [TimeoutRejectedException]")
    cluster = FakeCluster({("embed", "2024-03-15"): [transient, transient, exited(0)]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.embed", 2) == "success" and run.tries(f"{GROUP}.embed", 2) == 3
    assert run.tis[(f"{GROUP}.embed", 2)].retry_delays == [60.0, 120.0]  # 1 min, then doubled
    assert run.states(f"{GROUP}.load") == dict.fromkeys(range(5), "success")
    assert run.state("publish") == "success" and receiver.messages == []  # retries do not alert, only failures


@pytest.mark.parametrize("answer", [exited(1, "load exit 1: connection refused"), oom_killed, evicted, image_pull_failed],
                         ids=["exit-1", "OOMKilled", "Evicted", "ErrImagePull"])  # fmt: skip
def test_exit_1_and_pod_level_failures_use_every_retry_then_alert_once(pipeline, receiver, answer):
    cluster = FakeCluster({("load", "2024-03-22"): [answer]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    retries = pipeline.default_args["retries"]
    assert run.state(f"{GROUP}.load", 3) == "failed" and run.tries(f"{GROUP}.load", 3) == retries + 1
    assert cluster.starts("load").count("2024-03-22") == retries + 1
    delays = run.tis[(f"{GROUP}.load", 3)].retry_delays
    assert delays == sorted(delays) and delays[-1] > delays[0]
    (alert,) = texts(receiver)
    assert "Stage: load" in alert and "2024-03-22 to 2024-03-29" in alert


def test_pod_level_failure_alert_names_the_kubernetes_reason(pipeline, receiver):
    run_dag(pipeline, FIVE_CHUNKS, cluster=FakeCluster({("embed", "2024-03-01"): [oom_killed]}))
    (alert,) = texts(receiver)
    assert "Exit code: 137 (killed (OOMKilled or SIGKILL))" in alert and "OOMKilled" in alert


def test_a_clean_run_emits_one_asset_event_that_schedules_the_themes_dag(pipeline, receiver):
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=FakeCluster())
    assert run.states(f"{GROUP}.load") == dict.fromkeys(range(5), "success")
    assert [(asset.name, task) for asset, task in run.asset_events] == [("jobs_serving_tables", "publish")]
    (themes,) = load_dag_module("jobs_themes_dag")
    (asset, _) = run.asset_events[0]
    assert asset in themes.schedule.assets and themes.schedule.timetable.expression == "0 3 * * 1"
    assert receiver.messages == []


def test_unselected_stages_skip_without_pods_and_nothing_is_published_without_a_load(pipeline, receiver):
    cluster = FakeCluster()
    run = run_dag(pipeline, FIVE_CHUNKS | {"stages": ["embed"]}, cluster=cluster)
    assert run.states(f"{GROUP}.ingest") == dict.fromkeys(range(5), "skipped")
    assert run.states(f"{GROUP}.embed") == dict.fromkeys(range(5), "success")
    assert run.states(f"{GROUP}.load") == dict.fromkeys(range(5), "skipped")
    assert {stage for stage, _ in cluster.launched} == {"embed"}
    assert run.state("publish") == "skipped" and run.asset_events == []


def test_a_range_over_the_maximum_fails_the_run_before_any_pod(pipeline, receiver):
    cluster = FakeCluster()
    run = run_dag(pipeline, {"start": "1924-01-01", "end": "2024-01-01"}, cluster=cluster)  # a typo for 2024
    assert run.state("plan_chunks") == "failed" and run.tries("plan_chunks") == 1
    assert cluster.launched == [] and run.state(f"{GROUP}.ingest") == "upstream_failed"
    (alert,) = texts(receiver)
    assert "36525 days, over the maximum of 3660" in alert and "Stage: plan_chunks" in alert


def test_scheduled_run_processes_its_day_as_one_chunk(pipeline, receiver):
    day = datetime(2026, 3, 4, tzinfo=UTC)
    cluster = FakeCluster()
    run = run_dag(pipeline, None, cluster=cluster, run_id="scheduled__2026-03-04", data_interval=(day, day + timedelta(days=1)))
    assert run.states(f"{GROUP}.load") == {0: "success"}
    assert cluster.starts("ingest") == ["2026-03-04"]


@pytest.mark.parametrize(("share", "alerts"), [(0, 0), (1, 0), (5, 1)])
def test_embed_success_with_too_many_dead_letters_sends_a_warning(pipeline, receiver, share, alerts):
    counts = {"chunks": 100, "embedded": 100 - share, "reused": 0, "dead_lettered": share}
    message = f"embed ok: {json.dumps(counts)}"
    cluster = FakeCluster({("embed", "2024-03-01"): [exited(0, message)]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.embed", 0) == "success"
    assert len(receiver.messages) == alerts
    if alerts:
        text = texts(receiver)[0]
        assert "embed warning" in text and "5 of 100 chunks dead-lettered" in text and "jobs_replay" in text


def test_replay_dag_replays_dead_letters_then_validates_and_loads(receiver):
    (replay,) = load_dag_module("jobs_replay_dag")
    cluster = FakeCluster()
    run = run_dag(replay, {"start": "2024-03-01", "end": "2024-03-15"}, cluster=cluster)
    assert {stage for stage, _ in cluster.launched} == {"embed", "validate", "load", "validate_load"}
    assert all(args[-1] == "--replay-dead-letters" for stage, args in cluster.launched if stage == "embed")
    assert not any("--replay-dead-letters" in args for stage, args in cluster.launched if stage != "embed")
    assert [a.name for a, _ in run.asset_events] == ["jobs_serving_tables"]


def test_themes_dag_runs_the_theme_stage_over_the_window_before_the_run(receiver):
    (themes,) = load_dag_module("jobs_themes_dag")
    cluster = FakeCluster()
    monday = datetime(2026, 3, 9, 3, tzinfo=UTC)
    run = run_dag(themes, None, cluster=cluster, run_id="scheduled__2026-03-09", data_interval=(monday, monday))
    assert run.state("theme") == "success"
    ((stage, args),) = cluster.launched
    assert stage == "theme" and args[:4] == ["--start", "2025-03-09", "--end", "2026-03-09"]
    run = run_dag(themes, {"start": "2024-01-01", "end": "2025-01-01"}, cluster=FakeCluster())
    assert run.state("theme") == "success"


def test_skip_on_exit_code_would_let_load_run_after_a_failed_quality_gate(receiver, monkeypatch):
    """Why the operator does not use the provider's skip_on_exit_code: a skipped validate lets load run."""
    from jobs_pipeline import pods

    original = pods.stage_task_kwargs
    monkeypatch.setattr(pods, "stage_task_kwargs",
                        lambda stage: original(stage) | ({"skip_on_exit_code": [4]} if stage == "validate" else {}))  # fmt: skip
    (dag,) = load_dag_module("jobs_pipeline_dag")
    cluster = FakeCluster({("validate", "2024-03-08"): [exited(4, "validate exit 4: quality gate")]})
    run = run_dag(dag, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.validate", 1) == "skipped"
    assert run.state(f"{GROUP}.load", 1) == "success" and "2024-03-08" in cluster.starts("load")


def test_a_backfill_run_of_some_stages_leaves_the_others_alone(pipeline, receiver):
    """What `airflow backfill create ... --dag-run-conf '{"stages": [...]}'` makes: one run per daily interval, with
    the conf as Params; the stages not named are skipped without a pod."""
    day = datetime(2026, 1, 5, tzinfo=UTC)
    cluster = FakeCluster()
    run = run_dag(pipeline, {"stages": ["embed", "validate", "load"]}, cluster=cluster,
                  run_id="backfill__2026-01-05T00:00:00+00:00", data_interval=(day, day + timedelta(days=1)))  # fmt: skip
    assert run.states(f"{GROUP}.ingest") == {0: "skipped"} and run.states(f"{GROUP}.chunk") == {0: "skipped"}
    assert [stage for stage, _ in cluster.launched] == ["embed", "validate", "load", "validate_load"]
    assert all(args[1:4] == ["2026-01-05", "--end", "2026-01-06"] for _, args in cluster.launched)
    assert run.state("publish") == "success"


def test_a_pod_callback_cannot_fail_the_task_at_once(receiver, monkeypatch):
    """Why the operator overrides cleanup() instead of using a pod callback: the AirflowFailException a callback
    raises is replaced by the generic AirflowException cleanup() raises in execute's `finally`, so the task retries."""
    from airflow.exceptions import AirflowFailException
    from jobs_pipeline import operator, pods

    class FailOnGate:  # a KubernetesPodOperatorCallback
        @classmethod
        def on_pod_completion(cls, *, pod, **kwargs):
            if pod.status.container_statuses[0].state.terminated.exit_code == 4:
                raise AirflowFailException("quality gate")

    original = pods.stage_task_kwargs
    monkeypatch.setattr(pods, "stage_task_kwargs", lambda stage: original(stage) | {"callbacks": [FailOnGate]})
    monkeypatch.setattr(operator, "NO_RETRY_EXIT_CODES", frozenset())  # the callback alone decides
    (dag,) = load_dag_module("jobs_pipeline_dag")
    cluster = FakeCluster({("validate", "2024-03-08"): [exited(4, "validate exit 4: quality gate")]})
    run = run_dag(dag, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.validate", 1) == "failed"
    assert run.tries(f"{GROUP}.validate", 1) == dag.default_args["retries"] + 1  # retried anyway


# ------------------------------------------------------------------------- days another chunk's ingest changed

CHANGED = "changed_days"


def test_days_another_chunks_ingest_changed_run_their_later_stages_before_publish(pipeline, receiver):
    # Chunk 1's ingest moved documents of two earlier days and one inside chunk 3 (a duplicate id changed hands);
    # chunk 4's names one of the same days again.
    cluster = FakeCluster({("ingest", "2024-03-01"): [ingest_result(["2024-02-10", "2024-02-11", "2024-03-16"])],
                           ("ingest", "2024-03-22"): [ingest_result(["2024-02-11"])]})  # fmt: skip
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster, run_id="manual__2024-03")

    assert run.state("plan_changed_days") == "success"
    # Consecutive days form one chunk, a gap starts another; no ingest: their documents are already right.
    assert run.states(f"{CHANGED}.ingest") == {0: "skipped", 1: "skipped"}
    assert cluster.starts("ingest") == CHUNK_STARTS
    for stage in ("chunk", "embed", "validate", "load", "validate_load"):
        assert run.states(f"{CHANGED}.{stage}") == {0: "success", 1: "success"}
        assert cluster.starts(stage) == CHUNK_STARTS + ["2024-02-10", "2024-03-16"]
    reruns = [args for stage, args in cluster.launched if stage == "load"][5:]
    assert [a[:8] for a in reruns] == [
        ["--start", "2024-02-10", "--end", "2024-02-12", "--run-id", "manual__2024-03", "--log-format", "json"],
        ["--start", "2024-03-16", "--end", "2024-03-17", "--run-id", "manual__2024-03", "--log-format", "json"]]  # fmt: skip
    # The themes wait for those days too: one Asset event, after every load.
    assert run.state("publish") == "success" and len(run.asset_events) == 1
    assert receiver.messages == []


def test_no_day_changed_elsewhere_runs_nothing_more(pipeline):
    cluster = FakeCluster({("ingest", day): [ingest_result([])] for day in CHUNK_STARTS})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    assert run.state("plan_changed_days") == "success"
    assert all(run.state(f"{CHANGED}.{stage}") == "skipped" for stage in ("ingest", "chunk", "load"))
    assert len(cluster.launched) == 5 * 6 and run.state("publish") == "success"


def test_changed_days_still_run_when_another_chunk_failed(pipeline, receiver):
    gate = "validate exit 4: quality gate: 3 of 40 chunks have no vector (max 0) [embeddings_complete]"
    cluster = FakeCluster({("ingest", "2024-03-01"): [ingest_result(["2024-02-10"])],
                           ("validate", "2024-03-08"): [exited(4, gate)]})  # fmt: skip
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    # The other day's documents changed whatever became of chunk 2: its later stages run; the Asset waits for the fix.
    assert run.state("plan_changed_days") == "success"
    assert run.states(f"{CHANGED}.load") == {0: "success"} and cluster.starts("load")[-1] == "2024-02-10"
    assert run.state("publish") == "upstream_failed" and run.asset_events == []
    assert len(receiver.messages) == 1


def test_changed_days_run_only_the_stages_the_run_selected(pipeline):
    cluster = FakeCluster({("ingest", "2024-03-01"): [ingest_result(["2024-02-10"])]})
    run = run_dag(pipeline, FIVE_CHUNKS | {"stages": ["ingest", "chunk"]}, cluster=cluster)
    assert run.states(f"{CHANGED}.chunk") == {0: "success"} and cluster.starts("chunk")[-1] == "2024-02-10"
    assert run.states(f"{CHANGED}.embed") == {0: "skipped"} and "2024-02-10" not in cluster.starts("embed")
    only_ingest = FakeCluster({("ingest", "2024-03-01"): [ingest_result(["2024-02-10"])]})
    run = run_dag(pipeline, FIVE_CHUNKS | {"stages": ["ingest"]}, cluster=only_ingest)
    assert {stage for stage, _ in only_ingest.launched} == {"ingest"}
    assert run.state(f"{CHANGED}.chunk") == "skipped"


def test_a_malformed_result_file_fails_the_ingest_task(pipeline, receiver):
    def garbled(pod: k8s.V1Pod) -> tuple[k8s.V1Pod, str]:
        return exited(0)(pod), '{"changed_days": ['

    cluster = FakeCluster({("ingest", "2024-03-01"): [garbled]})
    run = run_dag(pipeline, FIVE_CHUNKS, cluster=cluster)
    assert run.state(f"{GROUP}.ingest", 0) == "failed" and run.state(f"{GROUP}.chunk", 0) == "upstream_failed"
