"""Deployment settings of the jobs DAGs: one place for image tags, Kubernetes names, pools and per-stage resources.

Read at DAG parse time, so nothing here does I/O: values are constants, overridable per deployment through a few
environment variables of the Airflow components (set in charts/airflow-values.yaml).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# Image tag of every stage: the repository's VERSION file (make images builds jobs-<stage>:<VERSION>); a test keeps
# the two equal. Every task takes its image from image() below, so a digest pin would change only that function.
IMAGE_TAG = "0.1.0"
# Registry and repository prefix, e.g. "registry.example.com/jobs/"; empty means images loaded on the nodes.
IMAGE_REGISTRY = os.environ.get("JOBS_IMAGE_REGISTRY", "")

NAMESPACE = os.environ.get("JOBS_NAMESPACE", "jobs")  # where the pods run (the Helm chart's namespace)
CONFIG_MAP = "jobs-config"  # non-secret settings, as environment variables (JOBS_LAKE, ...)
SECRET = "jobs-secrets"  # JOBS_PG (and API keys later)
# Where load and search read JOBS_PG from: by default the key JOBS_PG of SECRET. With the chart's CloudNativePG
# cluster, point it at the operator's app Secret instead: JOBS_DATABASE_SECRET=jobs-pg-app, JOBS_DATABASE_SECRET_KEY=uri
# (a postgresql:// URI, which the stages accept as well as a keyword string).
DATABASE_SECRET = os.environ.get("JOBS_DATABASE_SECRET", SECRET)
DATABASE_SECRET_KEY = os.environ.get("JOBS_DATABASE_SECRET_KEY", "JOBS_PG")
# A lake in object storage (JOBS_LAKE=az://<container>/<prefix> in the ConfigMap): every stage then reads
# AZURE_STORAGE_CONNECTION_STRING from this key of SECRET (the chart renders it from secrets.azureStorage). Empty: a
# lake on the data volume, no storage credentials mounted.
STORAGE_SECRET_KEY = os.environ.get("JOBS_STORAGE_SECRET_KEY", "")
# A remote embedding provider's API key (openai, or a TEI/Ollama behind an authenticating proxy): the key of SECRET the
# embed pod reads as JOBS_MODEL__APIKEY (the chart renders it from model.apiKey.secretKey). Empty: no key mounted.
# Never in the ConfigMap (the stages redact it in --print-config and never log it).
MODEL_API_KEY_SECRET_KEY = os.environ.get("JOBS_MODEL_API_KEY_SECRET_KEY", "")
SERVICE_ACCOUNT = "jobs-runner"  # no API token mounted
DATA_PVC = "jobs-data"  # the lake and the incoming files
DATA_MOUNT = "/data"  # JOBS_LAKE in the ConfigMap is /data/lake
APP_UID = 1654  # the images' non-root user

# Scheduled runs: one data interval per day (UTC midnight to midnight), processed as soon as the day is over. Five
# cron fields, not "@daily": Airflow 3.2.0-3.2.1's task-SDK timetable hands the expression to croniter unchanged,
# which fails on a preset when the DAG is parsed.
SCHEDULE = "0 0 * * *"
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
MAX_ACTIVE_RUNS = 1  # runs of the same stage must not race on the same day partitions
CHUNK_DAYS = 7  # default size of a date chunk for ranges given by Params
# The longest range one triggered run (or one backfill run) may cover: a typo such as 1924 for 2024 must not launch
# thousands of pods. Ten years: a whole history (e.g. the sample's 1961-1966) still fits one run with a large
# chunk_days. The first task refuses a longer range before any pod starts; split longer work into several runs.
MAX_RANGE_DAYS = int(os.environ.get("JOBS_MAX_RANGE_DAYS", "3660"))

# The themes DAG: after every pipeline run that loaded something (the serving-tables Asset) and weekly, the theme stage
# over the last THEME_WINDOW_DAYS days (a window, not chunks: themes are fitted on the window as a whole).
THEME_SCHEDULE = "0 3 * * 1"  # Mondays 03:00 UTC
THEME_WINDOW_DAYS = int(os.environ.get("JOBS_THEME_WINDOW_DAYS", "365"))
# The Asset the pipeline's publish task emits once a run's loads are done; the themes DAG is scheduled on it.
SERVING_ASSET_NAME = "jobs_serving_tables"
SERVING_ASSET_URI = "jobs://serving-store/chunks"

# Alerts (jobs_pipeline.alerts): Airflow connection ids, comma-separated; each is a webhook (conn type http/https,
# Slack-compatible JSON) or an SMTP server (conn type smtp, recipients in extra "to"). A missing one is logged, not
# fatal. JOBS_AIRFLOW_URL builds the log link when the task instance has none.
ALERT_CONNECTIONS = tuple(c for c in os.environ.get("JOBS_ALERT_CONNECTIONS", "jobs_alerts").split(",") if c)
AIRFLOW_URL = os.environ.get("JOBS_AIRFLOW_URL", "http://localhost:8080")
# A stage that succeeds with more than this share of its chunks dead-lettered (embed) sends a warning alert.
DEAD_LETTER_WARN_SHARE = float(os.environ.get("JOBS_DEAD_LETTER_WARN_SHARE", "0.01"))

# Retries with exponential backoff on every task (Airflow 3 task-sdk: backoff is a multiplier; 2.x: True).
DEFAULT_ARGS = {
    "owner": "jobs",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}

# Pools (create them once: airflow pools import charts/airflow-pools.json).
EMBEDDING_POOL = "jobs_embedding"  # throttles the embedding endpoint (in-process ONNX today: CPU on the nodes)
DATABASE_POOL = "jobs_database"  # throttles PostgreSQL writers


@dataclass(frozen=True)
class StageSpec:
    """How one stage's pods run: resources, pool, timeouts, and the settings it gets besides the date chunk.

    ``settings`` are configuration keys as environment variables (``JOBS_<SECTION>__<KEY>``), the same keys the
    Helm chart's ConfigMap holds and a ``--config`` file or ``--print-config`` shows; a pod's own variables override
    the ConfigMap's. A stage refuses an unknown key of its own section (a misspelling is exit 2, not ignored).
    """

    cpu: str
    memory: str
    pool: str = "default_pool"
    needs_database: bool = False
    settings: tuple[tuple[str, str], ...] = ()
    timeout: timedelta = timedelta(hours=2)
    startup_timeout_s: int = 300  # image pull on a fresh node (embed is the largest image) + scheduling
    image: str = ""  # the stage whose image runs (empty: this one), e.g. validate for the after-load check
    arguments: tuple[str, ...] = ()  # fixed arguments after the shared ones, e.g. ("--after", "load")
    selected_with: str = ""  # runs whenever this selectable stage runs (not a Param choice of its own)
    # Run Params -> configuration keys of this stage's pod (a pod env var, over the ConfigMap's), set only when the
    # run gives the Param (null: the ConfigMap's value stands).
    run_settings: tuple[tuple[str, str], ...] = ()
    needs_model_api_key: bool = False  # JOBS_MODEL__APIKEY from SECRET when MODEL_API_KEY_SECRET_KEY is set
    # The stage writes its result (counts, changed_days) to XCOM_RESULT_FILE (``--result-file``, added by the planner)
    # and the operator pushes it as the task's XCom (KubernetesPodOperator do_xcom_push: a sidecar reads the file).
    pushes_result: bool = False


# Where KubernetesPodOperator's XCom sidecar reads a pod's result (provider PodDefaults.XCOM_MOUNT_PATH + return.json).
XCOM_RESULT_FILE = "/airflow/xcom/return.json"


# The dataset's ingest mapping (section Ingest); sources are files or folders on the data volume. Deployment-wide
# settings (lake, model, chunk sizes, batch size) are in the chart's ConfigMap (charts/jobs/values.yaml, config).
INGEST_SETTINGS = (
    ("JOBS_INGEST__SOURCE__0", f"{DATA_MOUNT}/incoming"),
    ("JOBS_INGEST__FORMAT", "auto"),
    ("JOBS_INGEST__IDFIELD", "id"),
    ("JOBS_INGEST__TIMEFIELD", "date"),
    ("JOBS_INGEST__TEXTFIELD", "text"),
    ("JOBS_INGEST__CATEGORYFIELD", "party"),
    ("JOBS_INGEST__TITLEFIELD", "title"),
)

# The embedding provider of one run (Params embedding_provider, embedding_endpoint, served_model): the keys jobs-embed
# reads (--provider/--endpoint/--served-model). Deployment-wide defaults are the chart's model values (ConfigMap).
EMBEDDING_RUN_SETTINGS = (
    ("embedding_provider", "JOBS_MODEL__PROVIDER"),
    ("embedding_endpoint", "JOBS_MODEL__ENDPOINT"),
    ("served_model", "JOBS_MODEL__SERVEDMODEL"),
)

STAGES: dict[str, StageSpec] = {
    # Ingest's result names the days outside its chunk whose documents it changed (a duplicate id changing hands):
    # the DAG runs the later stages for them in the changed_days group (flow.py).
    "ingest": StageSpec(cpu="500m", memory="1Gi", settings=INGEST_SETTINGS, pushes_result=True),
    "chunk": StageSpec(cpu="1", memory="1Gi"),
    "embed": StageSpec(cpu="2", memory="2Gi", pool=EMBEDDING_POOL, timeout=timedelta(hours=6),
                       run_settings=EMBEDDING_RUN_SETTINGS, needs_model_api_key=True),  # fmt: skip
    "validate": StageSpec(cpu="500m", memory="1Gi"),
    "load": StageSpec(cpu="500m", memory="1Gi", pool=DATABASE_POOL, needs_database=True),
    # The serving store checked against the lake for the chunk just loaded (validate --after load: counts, vectors,
    # model); exit 4 fails that chunk only. Runs whenever load runs.
    "validate_load": StageSpec(cpu="500m", memory="1Gi", pool=DATABASE_POOL, needs_database=True, image="validate",
                               arguments=("--after", "load"), selected_with="load"),  # fmt: skip
}

# Stages outside the per-chunk flow: the theme stage (its own DAG, over a window; with JOBS_PG it also loads the themes
# into the serving store, so it shares the database pool). Its options are JOBS_THEME__* keys (jobs-theme --help).
THEME_SETTINGS = (("JOBS_THEME__PERIOD", "month"),)
OTHER_STAGES: dict[str, StageSpec] = {
    "theme": StageSpec(cpu="2", memory="4Gi", pool=DATABASE_POOL, needs_database=True, settings=THEME_SETTINGS,
                       timeout=timedelta(hours=4)),  # fmt: skip
}


def spec(stage: str) -> StageSpec:
    """The StageSpec of any stage, per-chunk or not."""
    return STAGES[stage] if stage in STAGES else OTHER_STAGES[stage]


def image(stage: str) -> str:
    """The pinned image of a stage, e.g. ``jobs-embed:0.1.0`` (validate_load runs ``jobs-validate``)."""
    return f"{IMAGE_REGISTRY}jobs-{spec(stage).image or stage}:{IMAGE_TAG}"
