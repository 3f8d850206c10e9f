"""STAND-IN, NOT AIRFLOW: ``KubernetesPodOperator`` (provider 10.x) with exactly its constructor arguments.

Unknown arguments raise the TypeError Airflow raises; ``on_finish_action`` is checked as the provider checks it (an
OnFinishAction value). STRICTER than the provider: the Kubernetes-model arguments must already be model objects of the
right class (the provider also converts a few legacy forms).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubernetes.client import models as k8s

from airflow._standin import BASE_OPERATOR_ARGS, KPO_ARGS, BaseOperator
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
