"""Static checks of dags/ that need no Airflow: it compiles, imports only what Airflow 3 has, ruff's Airflow rules
(AIR3xx: removed or moved in Airflow 3) find nothing, no I/O at import, DAG files stay small."""

from __future__ import annotations

import ast
import json
import py_compile
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
RUFF = REPO / "tools" / "lint" / "ruff-check.mjs"
PY_FILES = sorted(DAGS.rglob("*.py"))
DAG_FILES = sorted(DAGS.glob("*.py"))

# Gone or moved in Airflow 3 / provider 10 (ruff does not flag all of them, e.g. the removed kubernetes_pod module).
FORBIDDEN_MODULES = (
    "airflow.models",  # DAG, Param, Variable... come from airflow.sdk
    "airflow.operators",  # moved to providers (standard); airflow.operators.python.get_current_context removed
    "airflow.decorators",  # airflow.sdk.dag / task
    "airflow.contrib",
    "airflow.providers.cncf.kubernetes.operators.kubernetes_pod",  # removed in provider 10.0.0
    "airflow.kubernetes",
)
FORBIDDEN_KEYWORDS = {
    "schedule_interval": "removed in Airflow 3: use schedule",
    "is_delete_operator_pod": "removed in provider 10 (silently ignored!): use on_finish_action",
    "execution_date": "removed in Airflow 3",
    "provide_context": "removed in Airflow 2/3",
}
TOP_LEVEL_IO = {"open", "Variable", "Connection", "BaseHook", "requests", "subprocess", "urlopen", "sleep"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_there_are_dag_files():
    assert DAG_FILES, "no DAG file in dags/"
    assert (DAGS / ".airflowignore").read_text().count("jobs_pipeline/") == 1


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(DAGS)))
def test_compiles(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(DAGS)))
def test_imports_exist_in_airflow_3(path):
    for node in ast.walk(_tree(path)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
        for module in modules:
            bad = [f for f in FORBIDDEN_MODULES if module == f or module.startswith(f + ".")]
            assert not bad, f"{path.name}:{node.lineno} imports {module} (not in Airflow 3 / provider 10)"
        if isinstance(node, ast.ImportFrom) and node.module == "airflow":
            raise AssertionError(f"{path.name}:{node.lineno}: `from airflow import ...`: use airflow.sdk")


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(DAGS)))
def test_no_removed_keywords(path):
    source = path.read_text()
    for node in ast.walk(ast.parse(source)):
        names = [k.arg for k in node.keywords] if isinstance(node, ast.Call) else []
        if isinstance(node, ast.Dict):
            names += [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        for name in names:
            assert name not in FORBIDDEN_KEYWORDS, f"{path.name}:{node.lineno}: {name} - {FORBIDDEN_KEYWORDS[name]}"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_files_are_at_most_60_lines(path):
    assert len(path.read_text().splitlines()) <= 60


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(DAGS)))
def test_no_io_at_import_time(path):
    """Module level holds imports, constants, functions, classes and the DAG's `with` block; no calls that do I/O."""
    for statement in _tree(path).body:
        top = statement.items[0].context_expr if isinstance(statement, ast.With) else statement
        nested = [] if isinstance(statement, (ast.FunctionDef, ast.ClassDef)) else list(ast.walk(top))
        if isinstance(statement, ast.With):
            nested += [n for s in statement.body if not isinstance(s, ast.FunctionDef) for n in ast.walk(s)]
        for node in nested:
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                root = node.func
                while isinstance(root, ast.Attribute):
                    root = root.value
                root_name = root.id if isinstance(root, ast.Name) else ""
                assert name not in TOP_LEVEL_IO and root_name not in TOP_LEVEL_IO, (
                    f"{path.name}:{node.lineno}: {root_name or name}... at import time"
                )


def _ruff(select: str, *paths: Path) -> dict[str, list[dict]]:
    node = shutil.which("node")
    assert node, "node is required for the ruff check (Node.js 20 is part of the build machine image)"
    assert (RUFF.parent / "node_modules" / "@astral-sh").is_dir(), "run tools/provision-python.sh (npm ci in tools/lint)"
    out = subprocess.run([node, str(RUFF), "--select", select, *map(str, paths)], check=True, capture_output=True,
                         text=True, timeout=120).stdout  # fmt: skip
    return {r["path"]: r["diagnostics"] for r in map(json.loads, out.splitlines())}


def test_ruff_airflow_rules_and_pyflakes_find_nothing():
    findings = {p: d for p, d in _ruff("AIR,F,E9,B,UP,I", *PY_FILES).items() if d}
    assert findings == {}


def test_ruff_airflow_rules_do_fire_on_airflow_2_code(tmp_path):
    legacy = tmp_path / "legacy_dag.py"
    legacy.write_text(
        "from airflow import DAG\n"
        "from airflow.operators.python import get_current_context\n"
        "with DAG(dag_id='x', schedule_interval='@daily'):\n"
        "    get_current_context()\n"
    )
    codes = {d["code"] for d in _ruff("AIR", legacy)[str(legacy)]}
    assert {"airflow3-removal", "airflow3-suggested-update"} <= codes


def test_static_checks_do_fire_on_removed_modules_and_keywords(tmp_path):
    legacy = tmp_path / "legacy_dag.py"
    legacy.write_text(
        "from airflow.providers.cncf.kubernetes.operators.kubernetes_pod import KubernetesPodOperator\n"
        "KubernetesPodOperator(task_id='t', is_delete_operator_pod=True)\n"
    )
    with pytest.raises(AssertionError, match="kubernetes_pod"):
        test_imports_exist_in_airflow_3(legacy)
    with pytest.raises(AssertionError, match="is_delete_operator_pod"):
        test_no_removed_keywords(legacy)
    legacy.write_text("import json\nSETTINGS = json.load(open('/etc/jobs.json'))\n")
    with pytest.raises(AssertionError, match="at import time"):
        test_no_io_at_import_time(legacy)
