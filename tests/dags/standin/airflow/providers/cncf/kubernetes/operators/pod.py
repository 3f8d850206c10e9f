"""STAND-IN, NOT AIRFLOW: ``KubernetesPodOperator`` (provider 10.x) with exactly its constructor arguments.

Unknown arguments raise the TypeError Airflow raises; ``on_finish_action`` is checked as the provider checks it (an
OnFinishAction value). STRICTER than the provider: the Kubernetes-model arguments must already be model objects of the
right class (the provider also converts a few legacy forms).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kubernetes.client import models as k8s

from airflow._standin import BASE_OPERATOR_ARGS, KPO_ARGS, BaseOperator
from airflow.exceptions import AirflowException, AirflowSkipException
from airflow.providers.cncf.kubernetes.secret import Secret

ON_FINISH_ACTIONS = ("delete_pod", "delete_succeeded_pod", "keep_pod", "delete_active_pod")

_MODEL_LISTS = {
    "volumes": k8s.V1Volume,
    "volume_mounts": k8s.V1VolumeMount,
    "env_from": k8s.V1EnvFromSource,
    "secrets": Secret,
    "tolerations": k8s.V1Toleration,
    "image_pull_secrets": k8s.V1LocalObjectReference,
    "init_containers": k8s.V1Container,
}
_MODELS = {
    "container_resources": k8s.V1ResourceRequirements,
    "security_context": (k8s.V1PodSecurityContext, dict),
    "container_security_context": (k8s.V1SecurityContext, dict),
    "affinity": (k8s.V1Affinity, dict),
}


class KubernetesPodOperator(BaseOperator):
    _ARGS = BASE_OPERATOR_ARGS | KPO_ARGS
    template_fields = (
        "image", "name", "hostname", "cmds", "annotations", "arguments", "env_vars", "labels", "config_file",
        "pod_template_file", "pod_template_dict", "namespace", "container_resources", "volumes", "volume_mounts",
        "cluster_context", "env_from", "node_selector", "kubernetes_conn_id", "base_container_name", "trigger_kwargs",
    )

    @classmethod
    def validate_operator_args(cls, kwargs: Mapping[str, Any]) -> None:
        action = kwargs.get("on_finish_action", "delete_pod")
        if action not in ON_FINISH_ACTIONS:
            raise ValueError(f"{action!r} is not a valid OnFinishAction")
        for name, model in _MODEL_LISTS.items():
            value = kwargs.get(name)
            if value is not None and (not isinstance(value, list) or not all(isinstance(v, model) for v in value)):
                raise TypeError(f"{name} must be a list of {model.__name__}")
        for name, model in _MODELS.items():
            value = kwargs.get(name)
            if value is not None and not isinstance(value, model):
                raise TypeError(f"{name} must be {model}")
        for name in ("labels", "annotations", "node_selector"):
            value = kwargs.get(name)
            if value is not None and not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
                raise TypeError(f"{name} must be a dict of strings")
        for name in ("startup_timeout_seconds", "termination_grace_period", "active_deadline_seconds"):
            value = kwargs.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{name} must be an int")

    # ---- Running a pod (for the stand-in's DAG runs, airflow._run). The flow and the failure handling mirror provider
    # 10.x execute_sync(): create the pod, wait for it, and in `finally` post_complete_action() -> cleanup(), whose
    # exception replaces whatever the `try` raised (a pod callback's AirflowFailException included).
    BASE_CONTAINER_NAME = "base"
    _killed = False

    @property
    def base_container_name(self) -> str:
        return self.kwargs.get("base_container_name") or self.BASE_CONTAINER_NAME

    @property
    def arguments(self) -> list[str]:
        return list(self.kwargs.get("arguments") or [])

    @property
    def skip_on_exit_code(self) -> list[int]:
        value = self.kwargs.get("skip_on_exit_code")
        return list(value) if isinstance(value, (list, tuple, set)) else [] if value is None else [value]

    def build_pod_request_obj(self, context: Mapping[str, Any] | None = None) -> k8s.V1Pod:
        container = k8s.V1Container(name=self.base_container_name, image=self.kwargs.get("image"), args=self.arguments,
                                    env=self.kwargs.get("env_vars"), env_from=self.kwargs.get("env_from"))  # fmt: skip
        labels = dict(self.kwargs.get("labels") or {})
        if context is not None:
            ti = context["ti"]
            labels |= {"dag_id": self.dag.dag_id, "task_id": self.task_id, "map_index": str(ti.map_index),
                       "try_number": str(ti.try_number)}  # fmt: skip
        name = f"{self.kwargs.get('name') or self.task_id}-standin"
        meta = k8s.V1ObjectMeta(name=name, namespace=self.kwargs.get("namespace") or "default", labels=labels)
        return k8s.V1Pod(metadata=meta, spec=k8s.V1PodSpec(containers=[container], restart_policy="Never"))

    def execute(self, context: Mapping[str, Any]) -> Any:
        if STANDIN_CLUSTER is None:
            raise RuntimeError("stand-in: no cluster (airflow._run.run_dag(..., cluster=...) provides one)")
        pod = self.build_pod_request_obj(context)
        remote_pod = result = None
        try:
            # The cluster answers the finished remote pod, or (remote pod, the text the pod left in
            # /airflow/xcom/return.json) when it wrote its result there.
            answer = STANDIN_CLUSTER(pod)
            remote_pod, written = answer if isinstance(answer, tuple) else (answer, None)
            if remote_pod.status.phase == "Pending":  # await_pod_start gave up (image pull, unschedulable)
                raise PodLaunchFailedException(f"Pod took too long to start. Pod: {pod.metadata.name}")
            if self.kwargs.get("do_xcom_push"):
                # Provider extract_xcom(): the sidecar prints the file, or EMPTY_XCOM_RESULT when it is empty or absent;
                # the text is parsed as JSON (a malformed file fails the task).
                result = json.loads(written) if written and written.strip() else None
            callbacks = self.kwargs.get("callbacks") or []
            for callback in callbacks if isinstance(callbacks, list) else [callbacks]:
                callback.on_pod_completion(pod=remote_pod, client=None, mode="sync", context=context, operator=self)
        finally:
            self.post_complete_action(pod=pod, remote_pod=remote_pod, context=context, result=result)
        return result if self.kwargs.get("do_xcom_push") else None

    def post_complete_action(self, *, pod: k8s.V1Pod, remote_pod: k8s.V1Pod, context: Any, result: Any, **kw: Any) -> None:
        self.cleanup(pod=pod, remote_pod=remote_pod, xcom_result=result, context=context)

    def cleanup(self, pod: k8s.V1Pod, remote_pod: k8s.V1Pod, xcom_result: dict | None = None,
                context: Any = None) -> None:  # fmt: skip
        """Provider 10.x ``cleanup``: skip on ``skip_on_exit_code``, else a generic AirflowException for a failed pod."""
        if self._killed or not remote_pod:
            return
        failed = remote_pod.status.phase != "Succeeded"
        if self.skip_on_exit_code:
            statuses = (remote_pod.status.container_statuses if remote_pod.status else None) or []
            base = next((x for x in statuses if x.name == self.base_container_name), None)
            exit_code = base.state.terminated.exit_code if base and base.state and base.state.terminated else None
            if exit_code in self.skip_on_exit_code:
                raise AirflowSkipException(f"Pod {pod and pod.metadata.name} returned exit code {exit_code}. Skipping.")
        if failed:
            message = get_container_termination_message(remote_pod, self.base_container_name)
            raise AirflowException("\n".join(filter(None, [
                f"Pod {pod and pod.metadata.name} returned a failure.", message if isinstance(message, str) else None,
            ])))  # fmt: skip


# What runs a pod in the stand-in's DAG runs: pod request -> the remote pod once it is done (status like the API's).
STANDIN_CLUSTER: Any = None


class PodLaunchFailedException(AirflowException):
    """When pod launching fails in KubernetesPodOperator (provider utils/pod_manager.py)."""


def get_container_termination_message(pod: k8s.V1Pod, container_name: str) -> str | None:
    """Provider utils/container.py: the container's ``state.terminated.message`` (from /dev/termination-log)."""
    try:
        statuses = pod.status.container_statuses
        status = next((x for x in statuses if x.name == container_name), None)
        return status.state.terminated.message if status else None
    except (AttributeError, TypeError):
        return None
