"""The KubernetesPodOperator settings of each stage (everything but the per-chunk arguments), from ``settings``.

``stage_task_kwargs(stage)`` is passed to ``KubernetesPodOperator.partial()``; the DAG then maps the task over the
chunks' argument lists. Pods get only dates and run flags as arguments: configuration comes from the ConfigMap
(envFrom) and the stage's own keys (env, the same JOBS_<SECTION>__<KEY> names), the database connection string from
the Secret, the lake from the data volume (or object storage).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

from . import settings

MAX_PARALLEL_CHUNKS = 4  # pods of one stage at a time per run; pools bound them across runs


def labels(stage: str) -> dict[str, str]:
    """Recommended Kubernetes labels of a stage's pods (KPO adds dag_id, task_id, run_id, map_index, try_number)."""
    return {
        "app.kubernetes.io/name": "jobs",
        "app.kubernetes.io/component": stage,
        "app.kubernetes.io/part-of": "jobs-pipeline",
        "app.kubernetes.io/version": settings.IMAGE_TAG,
        "app.kubernetes.io/managed-by": "airflow",
    }


def _volumes() -> tuple[list[k8s.V1Volume], list[k8s.V1VolumeMount]]:
    data = k8s.V1PersistentVolumeClaimVolumeSource(claim_name=settings.DATA_PVC)
    # Nothing writes outside the lake; /tmp is a small memory-backed scratch for .NET diagnostics tools only.
    tmp = k8s.V1EmptyDirVolumeSource(medium="Memory", size_limit="64Mi")
    volumes = [k8s.V1Volume(name="data", persistent_volume_claim=data), k8s.V1Volume(name="tmp", empty_dir=tmp)]
    mounts = [
        k8s.V1VolumeMount(name="data", mount_path=settings.DATA_MOUNT),
        k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
    ]
    return volumes, mounts


def database_secrets() -> list[Secret]:
    """JOBS_PG from the configured Secret key: a keyword connection string or a postgresql:// URI (CloudNativePG)."""
    return [Secret("env", "JOBS_PG", settings.DATABASE_SECRET, settings.DATABASE_SECRET_KEY)]


def storage_secrets() -> list[Secret]:
    """AZURE_STORAGE_CONNECTION_STRING for a lake in object storage, when the deployment names its Secret key."""
    if not settings.STORAGE_SECRET_KEY:
        return []
    return [Secret("env", "AZURE_STORAGE_CONNECTION_STRING", settings.SECRET, settings.STORAGE_SECRET_KEY)]


def model_api_key_secrets() -> list[Secret]:
    """JOBS_MODEL__APIKEY (a remote embedding provider's key) from SECRET, when the deployment names its key."""
    if not settings.MODEL_API_KEY_SECRET_KEY:
        return []
    return [Secret("env", "JOBS_MODEL__APIKEY", settings.SECRET, settings.MODEL_API_KEY_SECRET_KEY)]


def stage_task_kwargs(stage: str) -> dict[str, Any]:
    """Keyword arguments of one stage's pod task (provider 10.x ``KubernetesPodOperator``), all but ``arguments``."""
    spec = settings.spec(stage)
    volumes, mounts = _volumes()
    resources = {"cpu": spec.cpu, "memory": spec.memory}
    return {
        "task_id": stage,
        "name": f"jobs-{stage.replace('_', '-')}",  # a pod name is a DNS label: no underscore
        "namespace": settings.NAMESPACE,
        "image": settings.image(stage),
        "image_pull_policy": "IfNotPresent",
        "env_from": [k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name=settings.CONFIG_MAP))],
        "env_vars": [k8s.V1EnvVar(name=name, value=value) for name, value in spec.settings],
        "secrets": (database_secrets() if spec.needs_database else []) + storage_secrets()
        + (model_api_key_secrets() if spec.needs_model_api_key else []),
        "container_resources": k8s.V1ResourceRequirements(requests=resources, limits={"memory": spec.memory}),
        "labels": labels(stage),
        "service_account_name": settings.SERVICE_ACCOUNT,
        "automount_service_account_token": False,
        "security_context": k8s.V1PodSecurityContext(
            run_as_non_root=True, run_as_user=settings.APP_UID, run_as_group=settings.APP_UID,
            fs_group=settings.APP_UID, seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        "container_security_context": k8s.V1SecurityContext(
            read_only_root_filesystem=True,
            allow_privilege_escalation=False,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        "volumes": volumes,
        "volume_mounts": mounts,
        # Failed pods stay for `kubectl logs/describe`; successful ones go. Their reason is also in the task log,
        # from /dev/termination-log.
        "on_finish_action": "delete_succeeded_pod",
        "do_xcom_push": spec.pushes_result,
        "startup_timeout_seconds": spec.startup_timeout_s,
        "log_events_on_failure": True,
        "get_logs": True,
        # SIGTERM makes a stage stop at its next batch boundary with nothing half-committed (exit 143).
        "termination_grace_period": 60,
        "execution_timeout": spec.timeout,
        "pool": spec.pool,
        "max_active_tis_per_dagrun": MAX_PARALLEL_CHUNKS,
        # Run when the upstream stage succeeded or was skipped (not selected); never after a failure.
        "trigger_rule": "none_failed",
        # The UI names each chunk's task instance by its first day instead of a bare map index.
        "map_index_template": "{{ task.arguments[1] if task.arguments else 'not selected' }}",
    }
