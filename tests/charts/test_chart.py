"""Tests of charts/ that need no Helm (not installable here): values against values.schema.json (and invalid values
refused), YAML validity (yamllint), the templates' static parts parsed as YAML after removing template directives,
RBAC rules, labels and the token-less ServiceAccount, and agreement with the DAG's settings. `helm lint` and
`helm template | kubeconform` are for a machine with Helm (charts/README.md)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "jobs"
TEMPLATES = sorted(p for p in (CHART / "templates").glob("*.yaml"))
sys.path.insert(0, str(REPO / "dags"))
from jobs_pipeline import settings  # noqa: E402  (pure module: no Airflow needed)

VALUES = yaml.safe_load((CHART / "values.yaml").read_text())
SCHEMA = json.loads((CHART / "values.schema.json").read_text())


def validate(values: dict) -> None:
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(values)


def with_change(path: str, value) -> dict:
    values = copy.deepcopy(VALUES)
    *parents, last = path.split(".")
    node = values
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return values


_DELETE = object()


def test_chart_metadata():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2" and chart["name"] == "jobs" and chart["type"] == "application"
    assert chart["appVersion"] == (REPO / "VERSION").read_text().strip() == settings.IMAGE_TAG


def test_schema_is_a_valid_draft_7_schema_and_accepts_the_defaults():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    validate(VALUES)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("secrets.create", True),
        ("data.create", True),
        ("postgres.mode", "cnpg"),
        ("rbac.airflow.serviceAccounts", ["my-airflow-worker"]),
        ("config", {"JOBS_LAKE": "/data/lake", "DOTNET_gcServer": "0"}),
        ("config", {"JOBS_LAKE": "az://lake/sotu", "JOBS_CHUNK__MAXTOKENS": "384"}),  # object storage, a stage key
        ("commonLabels", {"team": "search", "example.com/cost-centre": "42"}),
        ("model", {"provider": "tei", "endpoint": "http://tei.jobs:8080"}),
        ("model", {"provider": "ollama", "endpoint": "http://ollama:11434", "servedModel": "arctic-embed:xs"}),
        ("model", {"provider": "openai", "endpoint": "https://api.example.com/v1", "apiKeySecretKey": "EMBEDDING_API_KEY"}),
        ("model", {"provider": "onnx", "apiKeySecretKey": "EMBEDDING_API_KEY"}),  # for runs that override the provider
    ],
)
def test_schema_accepts_sensible_variants(path, value):
    values = with_change(path, value)
    if path == "secrets.create":
        values["secrets"]["jobsPg"] = "Host=db;Database=jobs"
    validate(values)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("postgres.mode", "mysql"),
        ("data.accessModes", ["ReadWriteAll"]),
        ("data.size", "lots"),
        ("secrets.create", True),  # without jobsPg
        ("rbac.airflow.serviceAccounts", []),
        ("names.configMap", "Jobs_Config"),
        ("config", {"JOBS_LAKE": "relative/lake"}),
        ("config", {"JOBS_LAKE": "/data/lake", "JOBS_PG": "Host=db"}),  # secrets stay out of the ConfigMap
        ("config", {"JOBS_LAKE": "az://lake/x", "AZURE_STORAGE_CONNECTION_STRING": "AccountKey=k"}),
        ("config", {"JOBS_LAKE": "s3://bucket/lake"}),  # no S3 store yet
        ("postgres.cnpg.imageName", "ghcr.io/cloudnative-pg/postgresql:latest"),
        ("serviceAccount.automount", True),  # no such value
        ("imagee", {}),  # misspelt top-level key
        ("config", _DELETE),
        ("model", {"provider": "bert"}),
        ("model", {"provider": "tei"}),  # a remote provider needs its endpoint
        ("model", {"provider": "tei", "endpoint": "tei:8080"}),  # not a URL
        ("model", {"provider": "onnx", "endpoint": "http://tei:8080"}),  # jobs-embed refuses an endpoint with onnx
        ("model", {"provider": "tei", "endpoint": "http://tei:8080", "apiKey": "sk-x"}),  # the key only by reference
        ("model", _DELETE),
        ("config", {"JOBS_LAKE": "/data/lake", "JOBS_MODEL__APIKEY": "sk-x"}),  # a secret
        ("config", {"JOBS_LAKE": "/data/lake", "JOBS_MODEL__PROVIDER": "tei"}),  # one place: values.model
    ],
)
def test_schema_rejects_invalid_values(path, value):
    values = with_change(path, value) if "." in path or path in VALUES else {**VALUES, path: value}
    with pytest.raises(jsonschema.ValidationError):
        validate(values)


def test_chart_names_match_what_the_dag_mounts():
    assert VALUES["names"] == {"configMap": settings.CONFIG_MAP, "secret": settings.SECRET,
                               "serviceAccount": settings.SERVICE_ACCOUNT, "dataClaim": settings.DATA_PVC}  # fmt: skip
    assert VALUES["config"]["JOBS_LAKE"].startswith(settings.DATA_MOUNT + "/")


def test_yamllint_accepts_the_values_files():
    yamllint = shutil.which("yamllint")
    assert yamllint, "yamllint is missing: run tools/provision-python.sh"
    files = [CHART / "Chart.yaml", CHART / "values.yaml", REPO / "charts" / "airflow-values.yaml"]
    config = "{extends: default, rules: {line-length: {max: 120}, document-start: disable, comments: {min-spaces-from-content: 1}}}"
    run = subprocess.run([yamllint, "-f", "parsable", "-d", config, *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# ---- templates: static parts -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"^\s*\{\{-?\s*(if|else|end|with|range|define|\$\w+\s*:=|/\*).*\}\}\s*$")
_INCLUDE_LABELS = re.compile(r"^(\s*)\{\{-?\s*include \"jobs.labels\" \. \| nindent (\d+)\s*-?\}\}\s*$")
_INLINE = re.compile(r"\{\{-?.*?-?\}\}")
LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
          "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "helm.sh/chart"]  # fmt: skip


def static_yaml(path: Path) -> dict:
    """The template with control lines removed, the labels include expanded and other actions replaced by a
    placeholder; keeps both branches of an if, so it checks what a template can render, not one rendering."""
    lines = []
    for line in path.read_text().splitlines():
        if _CONTROL.match(line):
            continue
        if m := _INCLUDE_LABELS.match(line):
            indent = " " * int(m.group(2))
            lines += [f"{indent}{label}: placeholder" for label in LABELS]
            continue
        lines.append(_INLINE.sub("placeholder", line))
    return yaml.safe_load("\n".join(lines))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_static_parts_are_yaml_with_the_recommended_labels(path):
    doc = static_yaml(path)
    assert doc["apiVersion"] and doc["kind"]
    labels = doc["metadata"]["labels"]
    assert set(LABELS) <= set(labels) and "app.kubernetes.io/component" in labels
    assert doc["metadata"]["namespace"] == "placeholder"  # {{ .Release.Namespace }}


def test_helpers_define_the_labels_used_everywhere():
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    for label in LABELS:
        assert f"{label}:" in helpers
    for path in TEMPLATES:
        assert 'include "jobs.labels" . | nindent 4' in path.read_text(), path.name


def test_service_account_mounts_no_token():
    doc = static_yaml(CHART / "templates" / "serviceaccount.yaml")
    assert doc["kind"] == "ServiceAccount" and doc["automountServiceAccountToken"] is False


def test_role_lets_airflow_launch_watch_and_delete_pods_and_nothing_more():
    doc = static_yaml(CHART / "templates" / "role.yaml")
    assert doc["kind"] == "Role" and doc["apiVersion"] == "rbac.authorization.k8s.io/v1"
    rules = {tuple(r["resources"]): set(r["verbs"]) for r in doc["rules"]}
    assert all(r["apiGroups"] == [""] for r in doc["rules"])
    assert rules == {
        ("pods",): {"create", "get", "list", "watch", "patch", "delete"},
        ("pods/log",): {"get"},
        ("events",): {"list", "watch"},
        ("pods/exec",): {"create", "get"},  # only rendered with rbac.podExec
    }
    text = (CHART / "templates" / "role.yaml").read_text()
    assert text.index("{{- if .Values.rbac.podExec }}") < text.index('resources: ["pods/exec"]')
    # The ingest task pushes its pod's result as XCom, which the provider reads by exec into the sidecar: on by default.
    assert VALUES["rbac"]["podExec"] is True


def test_role_binding_binds_the_airflow_service_accounts_from_their_namespace():
    doc = static_yaml(CHART / "templates" / "rolebinding.yaml")
    assert doc["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "placeholder-pod-launcher"}
    (subject,) = doc["subjects"]
    assert subject["kind"] == "ServiceAccount"
    text = (CHART / "templates" / "rolebinding.yaml").read_text()
    assert "range .Values.rbac.airflow.serviceAccounts" in text and "$.Values.rbac.airflow.namespace" in text
    assert VALUES["rbac"]["airflow"]["serviceAccounts"] == ["airflow-worker", "airflow-triggerer"]


def test_data_claim_survives_uninstall_and_cnpg_cluster_enables_pgvector():
    pvc = static_yaml(CHART / "templates" / "pvc.yaml")
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    cluster = static_yaml(CHART / "templates" / "cnpg-cluster.yaml")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1" and cluster["kind"] == "Cluster"
    assert cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQL"] == ["CREATE EXTENSION IF NOT EXISTS vector;"]
    assert "standard" in VALUES["postgres"]["cnpg"]["imageName"]  # "minimal" CNPG images lack pgvector


def test_secret_is_only_rendered_on_request_and_never_in_the_config_map():
    text = (CHART / "templates" / "secret.yaml").read_text()
    assert text.lstrip().startswith("{{- if .Values.secrets.create }}") and "required" in text
    assert "JOBS_PG" not in (CHART / "templates" / "configmap.yaml").read_text()


def test_the_embedding_provider_is_in_the_config_map_and_its_api_key_only_in_the_secret():
    config_map = static_yaml(CHART / "templates" / "configmap.yaml")["data"]
    assert {"JOBS_MODEL__PROVIDER", "JOBS_MODEL__ENDPOINT", "JOBS_MODEL__SERVEDMODEL"} <= set(config_map)
    text = (CHART / "templates" / "configmap.yaml").read_text()
    assert "JOBS_MODEL__PROVIDER: {{ .Values.model.provider | quote }}" in text and "APIKEY" not in text.upper()
    assert "with .Values.model.endpoint" in text and "with .Values.model.servedModel" in text  # left out when empty
    secret = (CHART / "templates" / "secret.yaml").read_text()
    assert "{{ .Values.model.apiKeySecretKey }}: {{ .Values.secrets.modelApiKey | quote }}" in secret
    serve = static_yaml(CHART / "templates" / "serve-deployment.yaml")
    env = {e["name"]: e for e in serve["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "value" not in env["JOBS_MODEL__APIKEY"] and "secretKeyRef" in env["JOBS_MODEL__APIKEY"]["valueFrom"]
    assert "{{- if .Values.model.apiKeySecretKey }}" in (CHART / "templates" / "serve-deployment.yaml").read_text()
    assert VALUES["model"] == {"provider": "onnx", "endpoint": "", "servedModel": "", "apiKeySecretKey": ""}


def test_the_dags_pods_read_the_api_key_under_the_name_the_chart_documents():
    airflow = (REPO / "charts" / "airflow-values.yaml").read_text()
    assert "JOBS_MODEL_API_KEY_SECRET_KEY" in airflow and "JOBS_MODEL_API_KEY_SECRET_KEY" in (
        REPO / "dags" / "jobs_pipeline" / "settings.py").read_text()  # fmt: skip
    assert settings.MODEL_API_KEY_SECRET_KEY == ""  # not set: no key mounted (pods.model_api_key_secrets)


def test_static_parsing_does_fail_on_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Role\nrules:\n  - apiGroups: [\"\"]\n   resources: [pods]\n")
    with pytest.raises(yaml.YAMLError):
        static_yaml(broken)


def test_airflow_values_mount_the_dags_folder_and_set_the_namespace():
    values = yaml.safe_load((REPO / "charts" / "airflow-values.yaml").read_text())
    git = values["dags"]["gitSync"]
    assert git["enabled"] is True and git["subPath"] == "dags"
    env = {e["name"]: e["value"] for e in values["env"]}
    assert env["JOBS_NAMESPACE"] == settings.NAMESPACE
    major, minor = (int(x) for x in values["airflowVersion"].split(".")[:2])
    assert (major, minor) >= (3, 3)  # the DAGs' version floor (dags/README.md)
    read = set(re.findall(r'os\.environ\.get\("(JOBS_[A-Z_]+)"', (REPO / "dags" / "jobs_pipeline" / "settings.py").read_text()))
    assert set(env) <= read, f"airflow-values.yaml sets variables the DAGs never read: {sorted(set(env) - read)}"
    assert env["JOBS_ALERT_CONNECTIONS"].split(",") == list(settings.ALERT_CONNECTIONS)


def test_pools_file_defines_the_dags_pools():
    pools = json.loads((REPO / "charts" / "airflow-pools.json").read_text())
    assert set(pools) == {settings.EMBEDDING_POOL, settings.DATABASE_POOL}
    assert all(p["slots"] >= 1 and p["include_deferred"] for p in pools.values())
