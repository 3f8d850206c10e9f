"""Puts dags/ and the Airflow stand-in (tests/dags/standin: STAND-IN, NOT AIRFLOW) on sys.path for these tests only."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
STANDIN = Path(__file__).resolve().parent / "standin"

for path in (STANDIN, DAGS):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def load_dag_module(name: str = "jobs_pipeline_dag"):
    """Imports (or re-imports) a DAG file as the DAG processor would, and returns the DAGs it registered."""
    from airflow import _standin

    _standin.registered.clear()
    sys.modules.pop(name, None)
    importlib.import_module(name)
    return list(_standin.registered)


@pytest.fixture
def pipeline_dag():
    dags = load_dag_module()
    assert len(dags) == 1, f"expected one DAG in jobs_pipeline_dag.py, got {len(dags)}"
    return dags[0]
