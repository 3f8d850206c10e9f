"""Prints, as JSON, the pods the pipeline DAG would launch for a date range: image, arguments, environment, volume.

Built from the DAG's own code (jobs_pipeline.plan for the arguments, jobs_pipeline.pods for the KubernetesPodOperator
settings) and the Helm chart's values (the ConfigMap the pods read through envFrom), so that the container
end-to-end test (tests/Jobs.Images.Tests) runs the images exactly as Airflow would. Test tooling, not a DAG: it
imports the Airflow stand-in (tests/dags/standin, STAND-IN, NOT AIRFLOW) for the provider's Secret class.

    /usr/bin/python3 tests/dags/render_pods.py --start 1961-01-01 --end 1966-01-01 --chunk-days 1826 --run-id e2e [--theme]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(Path(__file__).resolve().parent / "standin"), str(REPO / "dags")]

from jobs_pipeline import params, plan, pods, settings  # noqa: E402

CHART_VALUES = REPO / "charts" / "jobs" / "values.yaml"


def config_map_data(values_path: Path = CHART_VALUES) -> dict[str, str]:
    """The data of the chart's ConfigMap (values.config), checked to be the one the pods read."""
    values = yaml.safe_load(values_path.read_text())
    name = values["names"]["configMap"]
    if name != settings.CONFIG_MAP:
        raise SystemExit(f"chart ConfigMap {name!r} != DAG's {settings.CONFIG_MAP!r}")
    return {str(k): str(v) for k, v in values["config"].items()} | model_config(values["model"])


def model_config(model: dict) -> dict[str, str]:
    """The ConfigMap keys charts/jobs/templates/configmap.yaml renders from values.model (empty values left out)."""
    keys = {"provider": "JOBS_MODEL__PROVIDER", "endpoint": "JOBS_MODEL__ENDPOINT", "servedModel": "JOBS_MODEL__SERVEDMODEL"}
    return {key: str(model[name]) for name, key in keys.items() if model.get(name)}


def render_pod(stage: str, arguments: list[str], config: dict[str, str]) -> dict:
    kwargs = pods.stage_task_kwargs(stage)
    env: dict[str, str] = {}
    for source in kwargs["env_from"]:
        if source.config_map_ref is None or source.config_map_ref.name != settings.CONFIG_MAP:
            raise SystemExit(f"{stage}: unexpected envFrom {source}")
        env |= config
    env |= {v.name: v.value for v in kwargs.get("env_vars", [])}  # a container's env wins over its envFrom
    data_mounts = [m.mount_path for m in kwargs["volume_mounts"] if m.name == "data"]
    return {
        "stage": stage,
        "image": kwargs["image"],
        "arguments": arguments,
        "env": env,
        "secretEnv": {s.deploy_target: f"{s.secret}/{s.key}" for s in kwargs["secrets"]},
        "imageStage": settings.spec(stage).image or stage,
        "dataMount": data_mounts[0],
        "tmpfs": [m.mount_path for m in kwargs["volume_mounts"] if m.name == "tmp"],
        "readOnlyRootFilesystem": kwargs["container_security_context"].read_only_root_filesystem,
        "runAsUser": kwargs["security_context"].run_as_user,
        # KubernetesPodOperator with do_xcom_push mounts an emptyDir here in the base container (PodDefaults.XCOM_MOUNT_PATH)
        # and reads return.json from it through its sidecar.
        "xcomMount": "/airflow/xcom" if kwargs.get("do_xcom_push") else None,
    }


def render(
    start: str, end: str, chunk_days: int, run_id: str, stages: list[str], full_refresh: bool = False,
    replay: bool = False, model: dict[str, str] | None = None,
) -> list[dict]:
    """Pods of jobs_pipeline (or, with ``replay``, jobs_replay) stage after stage, each stage's chunks in order.
    ``model``: the run's embedding Params (embedding_provider, embedding_endpoint, served_model)."""
    run_params = {"start": start, "end": end, "chunk_days": chunk_days, "stages": stages, "full_refresh": full_refresh,
                  "replay_dead_letters": replay} | (model or {})  # fmt: skip
    calls = plan.plan(run_params, None, None, run_id)
    config = config_map_data()
    pods_ = [render_pod(stage, args, config) for stage, chunks in calls.items() for args in chunks]
    for pod in pods_:  # what StagePodOperator.build_pod_request_obj adds: the run's own keys, over the ConfigMap's
        pod["env"] |= dict(plan.run_settings(pod["stage"], run_params))
    return pods_


def render_theme(start: str | None, end: str | None, run_day: str | None, run_id: str) -> dict:
    """The pod of jobs_themes for a run (Params start/end, else the window before ``run_day``)."""
    from datetime import date

    arguments = plan.theme_arguments({"start": start, "end": end}, run_day and date.fromisoformat(run_day), run_id)
    return render_pod("theme", arguments, config_map_data())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--chunk-days", type=int, default=settings.CHUNK_DAYS)
    parser.add_argument("--run-id", default="manual__render")
    parser.add_argument("--stages", nargs="+", default=list(params.STAGE_NAMES))
    parser.add_argument("--theme", action="store_true", help="then the jobs_themes pod for the same window")
    a = parser.parse_args()
    rendered = render(a.start, a.end, a.chunk_days, a.run_id, a.stages)
    if a.theme:
        rendered.append(render_theme(a.start, a.end, None, a.run_id))
    print(json.dumps({"pods": rendered}, indent=2))


if __name__ == "__main__":
    main()
