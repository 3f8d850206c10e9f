"""The Params of the pipeline DAG, as JSON-schema dicts (the DAG wraps each in ``Param``; tests validate them).

Defaults describe a scheduled run: the data interval's days, every stage. Triggered from the UI ("Trigger DAG w/
config"), an operator sets start/end to backfill a range and picks stages, e.g. only "embed" for March after a model
change; the stages left out are skipped, not failed.
"""

from __future__ import annotations

from . import settings

# The stages a run can select; a stage that follows another (validate_load after load) is not a choice of its own.
STAGE_NAMES = [name for name, spec in settings.STAGES.items() if not spec.selected_with]
PROVIDERS = ["onnx", "openai", "ollama", "tei"]  # jobs-embed --provider

SCHEMAS: dict[str, dict] = {
    "start": {
        "default": None,
        "type": ["null", "string"],
        "format": "date",
        "title": "First day (inclusive)",
        "description": (
            f"YYYY-MM-DD. Leave empty (and end too) to process the run's data interval. At most "
            f"{settings.MAX_RANGE_DAYS} days to end per run."
        ),
    },
    "end": {
        "default": None,
        "type": ["null", "string"],
        "format": "date",
        "title": "Day after the last day (exclusive)",
        "description": "YYYY-MM-DD; start 2024-03-01 and end 2024-04-01 is March.",
    },
    "chunk_days": {
        "default": settings.CHUNK_DAYS,
        "type": "integer",
        "minimum": 1,
        "maximum": 3660,
        "title": "Days per date chunk",
        "description": "Each chunk is one pod per stage; chunks of a stage run in parallel within the pools.",
    },
    "stages": {
        "default": STAGE_NAMES,
        "type": "array",
        "items": {"type": "string", "enum": STAGE_NAMES},
        "uniqueItems": True,
        "minItems": 1,
        "title": "Stages to run",
        "description": (
            "The others are skipped. Stages run in pipeline order; load without validate skips the quality gate."
        ),
    },
    "embedding_provider": {
        "default": None,
        "type": ["null", "string"],
        "enum": [None, *PROVIDERS],
        "title": "Embedding provider",
        "description": (
            "Empty: the deployment's (the chart's model.provider, ConfigMap JOBS_MODEL__PROVIDER). onnx: the model in "
            "the embed pod; openai, ollama, tei: a remote endpoint serving the same model (JOBS_MODEL__ID), which then "
            "needs an endpoint (here or in the ConfigMap). The vectors must match what search embeds queries with."
        ),
    },
    "embedding_endpoint": {
        "default": None,
        "type": ["null", "string"],
        "pattern": "^https?://[^\\s]+$",
        "title": "Embedding endpoint",
        "description": "Base URL of a remote provider (e.g. http://tei.jobs:8080); empty: the ConfigMap's.",
    },
    "served_model": {
        "default": None,
        "type": ["null", "string"],
        "minLength": 1,
        "title": "Served model name",
        "description": "The model's name at the remote endpoint when it differs from the model id; empty: the ConfigMap's.",
    },
    "full_refresh": {
        "default": False,
        "type": "boolean",
        "title": "Full refresh",
        "description": (
            "Every stage already replaces the whole days of its chunk, so re-running a range refreshes it; embed "
            "reuses the vectors of unchanged text for the same model. True makes embed compute every vector again "
            "(--full-refresh)."
        ),
    },
}

# jobs_replay (on demand): the dead letters of a range are embedded again, then (by default) validated and loaded so
# the serving store gets the recovered vectors. The range is required: there is no data interval to fall back on.
REPLAY_STAGES = ["embed", "validate", "load"]
REPLAY_SCHEMAS: dict[str, dict] = {
    "start": SCHEMAS["start"] | {"default": None, "type": "string", "description": "YYYY-MM-DD, required."},
    "end": SCHEMAS["end"] | {"default": None, "type": "string", "description": "YYYY-MM-DD (exclusive), required."},
    "chunk_days": SCHEMAS["chunk_days"],
    "stages": SCHEMAS["stages"] | {
        "default": REPLAY_STAGES,
        "items": {"type": "string", "enum": REPLAY_STAGES},
        "description": "embed replays the dead letters; validate and load then serve what was recovered.",
    },
    "embedding_provider": SCHEMAS["embedding_provider"],
    "embedding_endpoint": SCHEMAS["embedding_endpoint"],
    "served_model": SCHEMAS["served_model"],
}

# jobs_themes: a window for the theme stage; empty = the THEME_WINDOW_DAYS days before the run.
THEME_SCHEMAS: dict[str, dict] = {
    "start": SCHEMAS["start"] | {"description": "YYYY-MM-DD. Empty (and end too): the window before the run's day."},
    "end": SCHEMAS["end"],
}
