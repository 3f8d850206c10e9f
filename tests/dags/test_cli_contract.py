"""Contract test: every argument list the DAG produces is accepted by that stage's real CLI.

Each stage is run with `--validate-args` (parse and validate everything, exit 0 without doing any work) under the
environment its pod gets (ConfigMap from the chart's values, the Secret's keys), using the build output of the
stage projects (`make build`; JOBS_TEST_CONFIG picks Debug or Release). The images run the same assemblies: the
container end-to-end test (tests/Jobs.Images.Tests) runs them for real.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from render_pods import render, render_theme

REPO = Path(__file__).resolve().parents[2]
CONFIG = os.environ.get("JOBS_TEST_CONFIG", "Debug")
PROJECTS = {"ingest": "Jobs.Ingest", "chunk": "Jobs.Chunk", "embed": "Jobs.Embed", "validate": "Jobs.Validate",
            "load": "Jobs.Load", "theme": "Jobs.Theme"}  # fmt: skip
CHUNK_STAGES = ["ingest", "chunk", "embed", "validate", "load"]  # the Params' choices; validate_load follows load
SECRET_VALUES = {"jobs-secrets/JOBS_PG": "Host=pg;Database=jobs;Username=jobs;Password=not-used"}
EXIT_OK, EXIT_USAGE = 0, 2


def run_stage(stage: str, arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    stage = {"validate_load": "validate"}.get(stage, stage)  # the after-load check runs the validate CLI
    dll = REPO / "jobs" / PROJECTS[stage] / "bin" / CONFIG / "net10.0" / f"jobs-{stage}.dll"
    assert dll.is_file(), f"{dll} is missing: run `make build` (CONFIG={CONFIG}) first"
    dotnet = shutil.which("dotnet")
    assert dotnet, "dotnet is not on PATH"
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DOTNET_ROOT", "TMPDIR")}
    return subprocess.run([dotnet, str(dll), *arguments], env=keep | env | {"DOTNET_NOLOGO": "1"},
                          capture_output=True, text=True, timeout=120)  # fmt: skip


# The data volume as the pods see it (/data: incoming files, lake), here a temporary folder: --validate-args checks
# that the sources exist.
DATA = Path(tempfile.mkdtemp(prefix="jobs-contract-data-"))
(DATA / "incoming").mkdir()


def pod_env(pod: dict) -> dict[str, str]:
    env = pod["env"] | {name: SECRET_VALUES[ref] for name, ref in pod["secretEnv"].items()}
    mount = pod["dataMount"].rstrip("/") + "/"
    return {k: str(DATA / v[len(mount):]) if v.startswith(mount) else v for k, v in env.items()}


PODS = render("2024-03-01", "2024-03-15", 7, "scheduled__2024-03-01T00:00:00+00:00", CHUNK_STAGES)
# A triggered full refresh: embed gets --full-refresh, which its CLI must accept too.
REFRESH_PODS = render("2024-03-01", "2024-03-08", 7, "manual__refresh", ["embed"], full_refresh=True)
# jobs_themes: a scheduled run (the window before its day) and a triggered one (Params).
THEME_PODS = [render_theme(None, None, "2026-03-09", "scheduled__2026-03-09T03:00:00+00:00"),
              render_theme("2024-01-01", "2025-01-01", None, "manual__themes")]  # fmt: skip
# jobs_replay: embed --replay-dead-letters, then validate and load.
REPLAY_PODS = render("2024-03-01", "2024-03-08", 7, "manual__replay", ["embed", "validate", "load"], replay=True)
REPLAY_FLAG = "--replay-dead-letters"
# A run that embeds at a remote endpoint (Params embedding_provider, embedding_endpoint, served_model): the embed pod
# gets them as JOBS_MODEL__* keys. --validate-args checks the settings, not the endpoint (nothing listens there).
REMOTE = {"embedding_provider": "tei", "embedding_endpoint": "http://127.0.0.1:9", "served_model": "arctic-xs"}
REMOTE_PODS = render("2024-03-01", "2024-03-08", 7, "manual__tei", ["embed"], model=REMOTE)


def _id(pod: dict) -> str:
    flags = [a.lstrip("-") for a in pod["arguments"][8:]]  # past --start --end --run-id --log-format and values
    return "-".join([pod["stage"], pod["arguments"][1], pod["arguments"][3], pod["arguments"][5], *flags])


def test_the_dag_plans_every_stage_for_every_chunk():
    assert [(p["stage"], p["arguments"][1]) for p in PODS] == [
        (stage, day) for stage in [*CHUNK_STAGES, "validate_load"] for day in ("2024-03-01", "2024-03-08")
    ]
    assert [p["stage"] for p in REPLAY_PODS] == ["embed", "validate", "load", "validate_load"]
    assert [REPLAY_FLAG in p["arguments"] for p in REPLAY_PODS] == [True, False, False, False]
    after_load = [p for p in PODS if p["stage"] == "validate_load"]
    assert all(p["arguments"][8:] == ["--after", "load"] and p["imageStage"] == "validate" for p in after_load)
    assert all(p["secretEnv"] == {"JOBS_PG": "jobs-secrets/JOBS_PG"} for p in after_load)
    assert [p["arguments"][1:4:2] for p in THEME_PODS] == [["2025-03-09", "2026-03-09"], ["2024-01-01", "2025-01-01"]]


ACCEPTED = PODS + REFRESH_PODS + THEME_PODS + REPLAY_PODS + REMOTE_PODS


@pytest.mark.parametrize("pod", ACCEPTED, ids=lambda p: _id(p) if isinstance(p, dict) else None)
def test_stage_cli_accepts_the_dags_arguments(pod):
    run = run_stage(pod["stage"], [*pod["arguments"], "--validate-args"], pod_env(pod))
    assert run.returncode == EXIT_OK, f"{pod['stage']} refused {pod['arguments']}: {run.stderr}"


@pytest.mark.parametrize(
    ("stage", "mutate", "message"),
    [
        ("chunk", lambda a: [*a, "--max-token", "256"], "--max-token"),  # a misspelt option
        ("embed", lambda a: ["--start", a[3], "--end", a[1], *a[4:]], "must be after"),  # start and end swapped
        ("embed", lambda a: [*a, "--batch-size", "0"], "--batch-size"),
    ],
)
def test_stage_cli_refuses_arguments_that_break_the_contract(stage, mutate, message):
    pod = next(p for p in PODS if p["stage"] == stage)
    run = run_stage(stage, [*mutate(pod["arguments"]), "--validate-args"], pod_env(pod))
    assert run.returncode == EXIT_USAGE and message in run.stderr, run.stderr


@pytest.mark.parametrize(
    ("stage", "mutate", "message"),
    [
        ("ingest", lambda e: {k: v for k, v in e.items() if k != "JOBS_INGEST__SOURCE__0"}, "--source"),
        ("chunk", lambda e: e | {"JOBS_CHUNK__MAXTOKEN": "300"}, "unknown setting Chunk:MAXTOKEN"),  # misspelt key
        ("chunk", lambda e: e | {"JOBS_CHUNK__MAXTOKENS": "4096"}, "over the 512-token limit"),
        ("embed", lambda e: e | {"JOBS_EMBED__BATCHSIZE": "lots"}, "'lots' is not a whole number"),
        ("embed", lambda e: e | {"JOBS_MODEL__ID": "no-such-model"}, "not a known model"),
        ("load", lambda e: e | {"JOBS_LAKE": "s3://bucket/lake"}, "unsupported scheme"),
        ("theme", lambda e: e | {"JOBS_THEME__PERIOD": "fortnight"}, "'fortnight' is not one of month, week"),
        ("theme", lambda e: e | {"JOBS_THEME__MINTHEME": "5"}, "unknown setting Theme:MINTHEME"),
    ],
)
def test_stage_cli_refuses_configuration_that_breaks_the_contract(stage, mutate, message):
    pod = next(p for p in PODS + THEME_PODS if p["stage"] == stage)
    run = run_stage(stage, [*pod["arguments"], "--validate-args"], mutate(pod_env(pod)))
    assert run.returncode == EXIT_USAGE and message in run.stderr, run.stderr


@pytest.mark.parametrize("stage", list(PROJECTS))
def test_every_configuration_key_the_pods_get_is_the_one_the_stage_uses(stage):
    """The ConfigMap's and the DAG's keys are the stage's own: --print-config shows each value where it took effect."""
    pod = next(p for p in PODS + THEME_PODS if p["stage"] == stage)
    env = pod_env(pod)
    run = run_stage(stage, [*pod["arguments"], "--print-config"], env)
    assert run.returncode == EXIT_OK, run.stderr
    printed = json.loads(run.stdout)
    sections = {k for k, v in printed.items() if isinstance(v, dict)}
    checked = 0
    for name, value in env.items():
        if not name.startswith("JOBS_") or name == "JOBS_PG":
            continue  # JOBS_PG is printed redacted
        path = name[len("JOBS_"):].split("__")
        node = printed
        section = path[0] if len(path) > 1 else None
        if section is not None and section.capitalize() not in sections:
            continue  # another stage's section (one ConfigMap serves every stage)
        for part in path:
            node = node[[k for k in node if k.lower() == part.lower()][0]] if isinstance(node, dict) else node[int(part)]
        assert str(node).lower() == value.lower(), f"{name}={value} but the stage uses {node}"
        checked += 1
    assert checked >= 1


def test_load_needs_the_secret_the_dag_mounts():
    pod = next(p for p in PODS if p["stage"] == "load")
    assert pod["secretEnv"] == {"JOBS_PG": "jobs-secrets/JOBS_PG"}
    run = run_stage("load", [*pod["arguments"], "--validate-args"], pod["env"])  # without the Secret
    assert run.returncode == EXIT_USAGE and "JOBS_PG" in run.stderr, run.stderr


def test_a_remote_providers_run_reaches_the_embed_pod_as_the_keys_jobs_embed_uses():
    (pod,) = REMOTE_PODS
    assert {k: v for k, v in pod["env"].items() if k.startswith("JOBS_MODEL__") and k != "JOBS_MODEL__ID"} == {
        "JOBS_MODEL__PROVIDER": "tei", "JOBS_MODEL__ENDPOINT": "http://127.0.0.1:9", "JOBS_MODEL__SERVEDMODEL": "arctic-xs"}  # fmt: skip
    run = run_stage("embed", [*pod["arguments"], "--print-config"], pod_env(pod))
    assert run.returncode == EXIT_OK, run.stderr
    model = json.loads(run.stdout)["Model"]
    assert (model["Provider"], model["Endpoint"], model["ServedModel"]) == ("tei", "http://127.0.0.1:9", "arctic-xs")
    # The chart's default (onnx, no endpoint) is what a run without the Params gets.
    default = next(p for p in PODS if p["stage"] == "embed")
    assert default["env"]["JOBS_MODEL__PROVIDER"] == "onnx" and "JOBS_MODEL__ENDPOINT" not in default["env"]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"embedding_provider": "tei"}, "needs --endpoint"),  # a remote provider without an endpoint anywhere
        ({"embedding_endpoint": "http://127.0.0.1:9"}, "--endpoint is for a remote provider"),  # onnx + endpoint
    ],
)
def test_embed_refuses_a_runs_provider_settings_that_cannot_work(model, message):
    (pod,) = render("2024-03-01", "2024-03-08", 7, "manual__bad", ["embed"], model=model)
    run = run_stage("embed", [*pod["arguments"], "--validate-args"], pod_env(pod))
    assert run.returncode == EXIT_USAGE and message in run.stderr, run.stderr


def test_an_openai_run_needs_the_api_key_the_dag_mounts_from_the_secret(monkeypatch):
    from jobs_pipeline import settings

    monkeypatch.setattr(settings, "MODEL_API_KEY_SECRET_KEY", "EMBEDDING_API_KEY")
    model = {"embedding_provider": "openai", "embedding_endpoint": "http://127.0.0.1:9/v1"}
    (pod,) = render("2024-03-01", "2024-03-08", 7, "manual__openai", ["embed"], model=model)
    assert pod["secretEnv"] == {"JOBS_MODEL__APIKEY": "jobs-secrets/EMBEDDING_API_KEY"}
    env = pod_env(pod | {"secretEnv": {}}) | {"JOBS_MODEL__APIKEY": "sk-not-a-real-key"}
    run = run_stage("embed", [*pod["arguments"], "--print-config"], env)
    assert run.returncode == EXIT_OK and "sk-not-a-real-key" not in run.stdout + run.stderr, run.stderr  # redacted
    assert run_stage("embed", [*pod["arguments"], "--validate-args"], env).returncode == EXIT_OK


def test_the_after_load_check_needs_the_database_secret_the_dag_mounts():
    pod = next(p for p in PODS if p["stage"] == "validate_load")
    run = run_stage("validate_load", [*pod["arguments"], "--validate-args"], pod["env"])  # without the Secret
    assert run.returncode == EXIT_USAGE and "JOBS_PG" in run.stderr, run.stderr
