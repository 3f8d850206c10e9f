"""STAND-IN, NOT AIRFLOW: one DAG run, in process, the way Airflow's scheduler and task runner would play it.

``run_dag(dag, conf, cluster=...)`` runs every task instance in dependency order: mapped tasks and mapped task groups
expand over their upstream's return value (one task instance per element, the task skipped when it is empty); a task
in a mapped group depends on its upstreams *of the same map index* only, so one chunk's failure stays in that chunk;
trigger rules decide run / skip / upstream_failed; an exception retries until ``retries`` is spent, except
AirflowFailException (failed at once) and AirflowSkipException (skipped); ``on_failure_callback`` runs once per failed
task instance with ``exception`` in its context; a successful task's Asset outlets become asset events.

Pods run on ``cluster``: a function from the pod request (k8s.V1Pod) to the finished remote pod (status shaped like
the Kubernetes API's). What this cannot show: timing, pools, the scheduler's own concurrency, the real task runner.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from airflow import _standin as s
from airflow.exceptions import AirflowFailException, AirflowSkipException

FAILED_STATES = {"failed", "upstream_failed"}


@dataclass
class TaskInstance:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    try_number: int = 1
    state: str | None = None
    xcom: dict[str, Any] = field(default_factory=dict)
    retry_delays: list[float] = field(default_factory=list)

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value

    @property
    def log_url(self) -> str:
        """Airflow 3's task log page of this try (base URL from [api] base_url)."""
        base = os.environ.get("AIRFLOW__API__BASE_URL", "http://localhost:8080").rstrip("/")
        mapped = f"/mapped/{self.map_index}" if self.map_index >= 0 else ""
        return f"{base}/dags/{self.dag_id}/runs/{self.run_id}/tasks/{self.task_id}{mapped}?try_number={self.try_number}"


@dataclass
class DagRunResult:
    run_id: str
    tis: dict[tuple[str, int], TaskInstance]
    asset_events: list[tuple[Any, str]]

    def state(self, task_id: str, map_index: int = -1) -> str | None:
        return self.tis[(task_id, map_index)].state

    def states(self, task_id: str) -> dict[int, str | None]:
        return {m: ti.state for (t, m), ti in sorted(self.tis.items()) if t == task_id}

    def tries(self, task_id: str, map_index: int = -1) -> int:
        return self.tis[(task_id, map_index)].try_number


def _topological(dag: s.DAG) -> list[s.Operator]:
    done: list[str] = []
    pending = dict(dag.task_dict)
    while pending:
        ready = [t for t in pending if pending[t].upstream_task_ids <= set(done)]
        if not ready:
            raise ValueError(f"cycle between {sorted(pending)}")
        done += ready
        for t in ready:
            pending.pop(t)
    return [dag.task_dict[t] for t in done]


def _group(task: s.Operator) -> s.TaskGroup | None:
    group = getattr(task, "task_group", None)
    return group if group is not None and group.is_mapped else None


class _Run:
    def __init__(self, dag: s.DAG, params: dict, run_id: str, interval: tuple[datetime | None, datetime | None]):
        self.dag, self.params, self.run_id, self.interval = dag, params, run_id, interval
        self.tis: dict[tuple[str, int], TaskInstance] = {}
        self.events: list[tuple[Any, str]] = []

    # ------------------------------------------------------------------------------------------------ resolution
    def _xcom(self, arg: s.XComArg, map_index: int) -> Any:
        producer = arg.operator
        if _group(producer) is not None and map_index < 0:
            # An unmapped task reading a task of a mapped group gets every map index's value as one list, as Airflow's
            # execution API combines them (airflow#49996); an instance that did not succeed pushed nothing. (A task of
            # another mapped group is not modelled.)
            return [ti.xcom[arg.key] for (task_id, index), ti in sorted(self.tis.items(), key=lambda kv: kv[0][1])
                    if task_id == producer.task_id and index >= 0 and ti.state == "success" and arg.key in ti.xcom]  # fmt: skip
        index = map_index if _group(producer) is not None else -1
        ti = self.tis.get((producer.task_id, index))
        if ti is None or ti.state != "success":
            raise LookupError(f"no XCom from {producer.task_id}")
        return ti.xcom[arg.key]

    def _resolve(self, value: Any, map_index: int) -> Any:
        if isinstance(value, s.XComArg):
            return self._xcom(value, map_index)
        if isinstance(value, s.MappedArgument):
            data = self._resolve(value.input, -1)
            return data[map_index][value.key] if isinstance(data, list) else data[value.key][map_index]
        if isinstance(value, Mapping):
            return {k: self._resolve(v, map_index) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._resolve(v, map_index) for v in value)
        return value

    def _map_indexes(self, task: s.Operator) -> list[int] | None:
        """The task's map indexes; None when its expansion cannot be known (upstream did not succeed)."""
        group = _group(task)
        try:
            if group is not None:
                data = self._resolve(group.expand_input, -1)
                length = len(data) if isinstance(data, list) else len(next(iter(data.values())))
                return list(range(length))
            if isinstance(task, s.MappedOperator):
                values = self._resolve(task.expand_input, -1)
                items = next(iter(values.values()))
                return list(range(len(items)))
        except LookupError:
            return None
        return [-1]

    # ----------------------------------------------------------------------------------------------- trigger rules
    def _upstream_states(self, task: s.Operator, map_index: int) -> list[str | None]:
        states = []
        for upstream_id in task.upstream_task_ids:
            upstream = self.dag.task_dict[upstream_id]
            same_group = _group(task) is not None and _group(upstream) is _group(task)
            states += [ti.state for (t, m), ti in self.tis.items()
                       if t == upstream_id and (not same_group or m == map_index)]  # fmt: skip
        return states

    @staticmethod
    def _decide(rule: str, states: list[str | None]) -> str | None:
        """None: run it; else the state the trigger rule gives without running."""
        failed = any(x in FAILED_STATES for x in states)
        if rule == "all_success":
            return "upstream_failed" if failed else "skipped" if any(x == "skipped" for x in states) else None
        if rule == "none_failed":
            return "upstream_failed" if failed else None
        if rule == "none_failed_min_one_success":
            return "upstream_failed" if failed else None if any(x == "success" for x in states) else "skipped"
        if rule == "all_done":
            return None
        raise NotImplementedError(f"stand-in run: trigger rule {rule}")

    # -------------------------------------------------------------------------------------------------- execution
    def _instance(self, task: s.Operator, map_index: int) -> s.Operator:
        """The task as its task instance runs it: a copy with templated / mapped arguments resolved."""
        if isinstance(task, s.MappedOperator):
            operator = task.operator_class.__new__(task.operator_class)
            kwargs = dict(task.partial_kwargs) | {
                k: self._resolve(v, -1)[map_index] for k, v in task.expand_input.items()
            }
            operator.__dict__.update(task_id=task.task_id, dag=task.dag, task_group=task.task_group)
        else:
            operator = copy.copy(task)
            kwargs = {k: self._resolve(v, map_index) for k, v in task.kwargs.items()}
        operator.kwargs = kwargs
        return operator

    def _context(self, operator: s.Operator, ti: TaskInstance) -> dict[str, Any]:
        start, end = self.interval
        return {"dag": self.dag, "task": operator, "ti": ti, "task_instance": ti, "run_id": self.run_id,
                "params": self.params, "data_interval_start": start, "data_interval_end": end,
                "map_index": ti.map_index, "dag_run": {"run_id": self.run_id, "conf": {}}}  # fmt: skip

    def _execute(self, operator: s.Operator, context: dict) -> Any:
        if isinstance(operator, s._PythonDecoratedOperator):
            s._current_context.append(context)
            try:
                return operator.kwargs["python_callable"](*operator.kwargs["op_args"], **operator.kwargs["op_kwargs"])
            finally:
                s._current_context.pop()
        return operator.execute(context)

    def _run_ti(self, task: s.Operator, ti: TaskInstance) -> None:
        operator = self._instance(task, ti.map_index)
        retries = operator.kwargs.get("retries", 0) or 0
        while True:
            context = self._context(operator, ti)
            try:
                result = self._execute(operator, context)
            except AirflowSkipException:
                ti.state = "skipped"
                return
            except Exception as error:  # the task runner's own catch-all
                if not isinstance(error, AirflowFailException) and ti.try_number <= retries:
                    ti.retry_delays.append(_retry_delay(operator.kwargs, ti.try_number))
                    ti.try_number += 1
                    continue
                ti.state = "failed"
                callbacks = operator.kwargs.get("on_failure_callback") or []
                for callback in callbacks if isinstance(callbacks, list) else [callbacks]:
                    callback(context | {"exception": error})
                return
            ti.state = "success"
            ti.xcom["return_value"] = result
            for outlet in operator.kwargs.get("outlets") or []:
                self.events.append((outlet, task.task_id))
            return

    def run(self) -> DagRunResult:
        for task in _topological(self.dag):
            indexes = self._map_indexes(task)
            if indexes is None or not indexes:
                states = self._upstream_states(task, -1)
                state = "upstream_failed" if any(x in FAILED_STATES for x in states) else "skipped"
                self.tis[(task.task_id, -1)] = TaskInstance(self.dag.dag_id, self.run_id, task.task_id, state=state)
                continue
            for map_index in indexes:
                ti = TaskInstance(self.dag.dag_id, self.run_id, task.task_id, map_index)
                self.tis[(task.task_id, map_index)] = ti
                rule = getattr(task, "trigger_rule", None) or "all_success"
                ti.state = self._decide(rule, self._upstream_states(task, map_index))
                if ti.state is None:
                    self._run_ti(task, ti)
        return DagRunResult(self.run_id, self.tis, self.events)


def _retry_delay(kwargs: Mapping[str, Any], try_number: int) -> float:
    """Seconds before the next try: retry_delay x multiplier^(try - 1), at most max_retry_delay (no jitter here)."""
    delay = kwargs.get("retry_delay", timedelta(minutes=5))
    delay = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
    multiplier = float(kwargs.get("retry_exponential_backoff", 0) or 0)
    if multiplier:
        delay *= multiplier ** (try_number - 1)
    cap = kwargs.get("max_retry_delay")
    if cap is not None:
        delay = min(delay, cap.total_seconds() if isinstance(cap, timedelta) else float(cap))
    return delay


def run_dag(dag: s.DAG, conf: Mapping | None = None, *, cluster: Callable | None = None, run_id: str = "manual__standin",
            data_interval: tuple[datetime | None, datetime | None] = (None, None)) -> DagRunResult:  # fmt: skip
    """One run of ``dag`` with ``conf`` validated against its Params; pods run on ``cluster``."""
    from airflow.providers.cncf.kubernetes.operators import pod

    params = dag.resolve_params(conf)
    previous, pod.STANDIN_CLUSTER = pod.STANDIN_CLUSTER, cluster
    try:
        return _Run(dag, params, run_id, data_interval).run()
    finally:
        pod.STANDIN_CLUSTER = previous
