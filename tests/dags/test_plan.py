"""Unit tests of the DAGs' plain functions (dags/jobs_pipeline): chunk planning, windows, stage selection, settings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from jobs_pipeline import params, plan, settings

REPO = Path(__file__).resolve().parents[2]
UTC = timezone.utc


def test_split_covers_the_range_with_half_open_chunks():
    chunks = plan.split(date(2026, 1, 1), date(2026, 1, 20), 7)
    assert chunks == [
        (date(2026, 1, 1), date(2026, 1, 8)),
        (date(2026, 1, 8), date(2026, 1, 15)),
        (date(2026, 1, 15), date(2026, 1, 20)),
    ]


@pytest.mark.parametrize("days", [1, 3, 7, 31, 400])
def test_split_chunks_are_contiguous_and_never_longer_than_asked(days):
    start, end = date(2024, 2, 27), date(2024, 4, 2)
    chunks = plan.split(start, end, days)
    assert chunks[0][0] == start and chunks[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:], strict=False))
    assert all(0 < (e - s).days <= days for s, e in chunks)


def test_split_rejects_a_chunk_size_below_one_day():
    with pytest.raises(ValueError, match="at least 1"):
        plan.split(date(2026, 1, 1), date(2026, 1, 2), 0)


def test_scheduled_run_processes_its_data_interval():
    start, end = datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    calls = plan.plan({}, start, end, "scheduled__2026-03-04T00:00:00+00:00")
    assert [c[:4] for c in calls["ingest"]] == [["--start", "2026-03-04", "--end", "2026-03-05"]]
    assert all(len(calls[s]) == 1 for s in settings.STAGES)


def test_interval_not_on_midnight_is_widened_to_whole_days():
    start, end = datetime(2026, 3, 4, 3, tzinfo=UTC), datetime(2026, 3, 5, 3, tzinfo=UTC)
    assert plan.resolve_window({}, start, end) == (date(2026, 3, 4), date(2026, 3, 6))


def test_params_override_the_interval_and_select_stages():
    run_params = {"start": "2024-03-01", "end": "2024-04-01", "chunk_days": 10, "stages": ["embed"]}
    calls = plan.plan(run_params, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC), "manual__x")
    assert {s: len(c) for s, c in calls.items()} == {"ingest": 0, "chunk": 0, "embed": 4, "validate": 0, "load": 0,
                                                     "validate_load": 0}  # fmt: skip
    assert [c[1] for c in calls["embed"]] == ["2024-03-01", "2024-03-11", "2024-03-21", "2024-03-31"]
    assert calls["embed"][-1][3] == "2024-04-01"


def test_stage_order_is_the_pipeline_order_whatever_the_selection_order():
    calls = plan.plan({"start": "2024-01-01", "end": "2024-01-02", "stages": ["load", "ingest"]}, None, None, "r")
    assert list(calls) == ["ingest", "chunk", "embed", "validate", "load", "validate_load"]
    assert [bool(c) for c in calls.values()] == [True, False, False, False, True, True]  # the after-load check follows load


def test_the_after_load_check_runs_the_validate_image_with_after_load_and_the_database_whenever_load_runs():
    spec = settings.STAGES["validate_load"]
    assert settings.image("validate_load") == settings.image("validate")
    assert spec.needs_database and spec.pool == settings.DATABASE_POOL and spec.selected_with == "load"
    assert "validate_load" not in params.STAGE_NAMES  # not a Param choice: it cannot be left out while load runs
    calls = plan.plan({"start": "2024-01-01", "end": "2024-01-15", "stages": ["load"]}, None, None, "r")
    assert [a[8:] for a in calls["validate_load"]] == [["--after", "load"]] * 2
    assert [a[:4] for a in calls["validate_load"]] == [a[:4] for a in calls["load"]]
    assert plan.plan({"start": "2024-01-01", "end": "2024-01-02", "stages": ["validate"]}, None, None, "r")[
        "validate_load"] == []  # fmt: skip


def test_arguments_carry_the_shared_contract_only():
    args = plan.stage_arguments("chunk", (date(2024, 1, 1), date(2024, 1, 8)), "run-1")
    assert args == ["--start", "2024-01-01", "--end", "2024-01-08", "--run-id", "run-1", "--log-format", "json"]
    assert "--lake" not in args and "--pg" not in args  # configuration comes from the ConfigMap and the Secret
    ingest = plan.stage_arguments("ingest", (date(2024, 1, 1), date(2024, 1, 8)), "run-1")
    assert "--source" not in ingest  # the dataset's mapping is configuration too (StageSpec.settings)


@pytest.mark.parametrize(
    ("run_params", "message"),
    [
        ({"start": "2024-01-01"}, "both start and end"),
        ({"start": "2024-02-01", "end": "2024-01-01"}, "must be after"),
        ({"start": "2024-01-01", "end": "2024-01-01"}, "must be after"),
        ({"stages": ["ingest", "theme"]}, "unknown stages"),
        ({"stages": ["validate_load"]}, "unknown stages"),  # follows load, not selectable
        ({"embedding_provider": "onnx", "embedding_endpoint": "http://tei:8080"}, "for a remote provider"),
    ],
)
def test_plan_refuses_what_it_cannot_run(run_params, message):
    interval = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match=message):
        plan.plan(run_params, *interval, "r")


def test_manual_run_without_interval_or_dates_asks_for_the_params():
    with pytest.raises(ValueError, match="set the start and end Params"):
        plan.from_context({"params": {}, "run_id": "manual__1", "data_interval_start": None, "data_interval_end": None})


def test_from_context_reads_params_interval_and_run_id():
    context = {
        "params": {"chunk_days": 1},
        "run_id": "backfill__2026-01-01",
        "data_interval_start": datetime(2026, 1, 1, tzinfo=UTC),
        "data_interval_end": datetime(2026, 1, 3, tzinfo=UTC),
    }
    calls = plan.from_context(context)
    assert len(calls["load"]) == 2 and calls["load"][0][5] == "backfill__2026-01-01"


def test_full_refresh_makes_only_embed_recompute_its_vectors():
    interval = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    calls = plan.plan({"full_refresh": True}, *interval, "r")
    assert all("--full-refresh" in args for args in calls["embed"])
    assert not any("--full-refresh" in args for stage, chunks in calls.items() if stage != "embed" for args in chunks)
    assert not any("--full-refresh" in args for args in plan.plan({}, *interval, "r")["embed"])


def test_cli_prints_the_plan_as_json(capsys):
    plan.main(["--start", "2024-01-01", "--end", "2024-01-15", "--stages", "embed", "--chunk-days", "7"])
    out = capsys.readouterr().out
    assert '"embed"' in out and out.count('"--start"') == 2


def test_param_defaults_are_valid_against_their_own_schemas():
    for schema in params.SCHEMAS.values():
        body = {k: v for k, v in schema.items() if k != "default"}
        jsonschema.validate(schema["default"], body, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize(
    ("name", "value"),
    [("start", "2024-13-01"), ("chunk_days", 0), ("stages", []), ("stages", ["embed", "embed"]),
     ("stages", ["bogus"]), ("stages", ["validate_load"]), ("embedding_provider", "bert"),
     ("embedding_endpoint", "tei:8080"), ("served_model", ""), ("full_refresh", "yes")],
)  # fmt: skip
def test_param_schemas_reject_bad_values(name, value):
    body = {k: v for k, v in params.SCHEMAS[name].items() if k != "default"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(value, body, format_checker=jsonschema.FormatChecker())


def test_image_tag_is_the_repository_version_and_images_are_pinned():
    assert settings.IMAGE_TAG == (REPO / "VERSION").read_text().strip()
    for stage in settings.STAGES:
        image = settings.image(stage)
        own = settings.STAGES[stage].image or stage
        assert image.endswith(f"jobs-{own}:{settings.IMAGE_TAG}") and not image.endswith(":latest")


def test_every_stage_has_requests_limits_timeout_and_a_pool_for_shared_services():
    assert settings.STAGES["embed"].pool == settings.EMBEDDING_POOL
    assert settings.STAGES["load"].pool == settings.DATABASE_POOL and settings.STAGES["load"].needs_database
    for spec in settings.STAGES.values():
        assert spec.cpu and spec.memory and spec.timeout > timedelta(0) and spec.startup_timeout_s >= 120


def test_default_args_retry_with_exponential_backoff():
    args = settings.DEFAULT_ARGS
    assert args["retries"] >= 2 and args["retry_exponential_backoff"] >= 2.0
    assert args["max_retry_delay"] > args["retry_delay"]


def test_per_chunk_turns_stage_lists_into_one_dict_per_chunk():
    calls = plan.plan({"start": "2024-03-01", "end": "2024-03-15", "stages": ["embed", "load"]}, None, None, "r")
    chunks = plan.per_chunk(calls)
    assert len(chunks) == 2 and all(list(c) == list(settings.STAGES) for c in chunks)
    assert [c["embed"][1] for c in chunks] == ["2024-03-01", "2024-03-08"]
    assert all(c["ingest"] == [] and c["load"] for c in chunks)


def test_range_maximum_is_inclusive_and_enforced(monkeypatch):
    monkeypatch.setattr(settings, "MAX_RANGE_DAYS", 31)
    assert plan.resolve_window({"start": "2024-01-01", "end": "2024-02-01"}, None, None)[1] == date(2024, 2, 1)
    with pytest.raises(ValueError, match="32 days, over the maximum of 31"):
        plan.resolve_window({"start": "2024-01-01", "end": "2024-02-02"}, None, None)


def test_replay_flag_goes_to_embed_only():
    calls = plan.plan({"start": "2024-03-01", "end": "2024-03-08", "replay_dead_letters": True}, None, None, "r")
    assert [stage for stage, chunks in calls.items() if plan.REPLAY_FLAG in chunks[0]] == ["embed"]


def test_theme_window_is_the_days_before_the_run_unless_params_say_otherwise():
    args = plan.theme_arguments({}, datetime(2026, 3, 9, 3, tzinfo=UTC), "r")
    assert args[:4] == ["--start", "2025-03-09", "--end", "2026-03-09"]
    args = plan.theme_arguments({"start": "2024-01-01", "end": "2024-07-01"}, None, "r")
    assert args[:4] == ["--start", "2024-01-01", "--end", "2024-07-01"]
    with pytest.raises(ValueError, match="set the start and end Params"):
        plan.theme_arguments({}, None, "r")


def test_run_day_is_the_interval_end_else_when_the_run_was_triggered():
    end = datetime(2026, 3, 5, tzinfo=UTC)
    assert plan.run_day({"data_interval_end": end}) == end
    assert plan.run_day({"data_interval_end": None, "dag_run": {"run_after": end}}) == end
    assert plan.run_day({}) is None


def test_schedule_is_five_cron_fields_not_a_preset():
    assert len(settings.SCHEDULE.split()) == 5 and len(settings.THEME_SCHEDULE.split()) == 5
    assert not settings.SCHEDULE.startswith("@") and not settings.THEME_SCHEDULE.startswith("@")


def test_a_runs_embedding_provider_params_become_embeds_model_keys_and_nothing_else():
    run_params = {"embedding_provider": "tei", "embedding_endpoint": "http://tei.jobs:8080", "served_model": None}
    assert plan.run_settings("embed", run_params) == [("JOBS_MODEL__PROVIDER", "tei"),
                                                      ("JOBS_MODEL__ENDPOINT", "http://tei.jobs:8080")]  # fmt: skip
    assert plan.run_settings("embed", {"embedding_provider": "ollama", "served_model": "arctic:xs"}) == [
        ("JOBS_MODEL__PROVIDER", "ollama"), ("JOBS_MODEL__SERVEDMODEL", "arctic:xs")]  # fmt: skip
    defaults = {name: schema["default"] for name, schema in params.SCHEMAS.items()}
    assert plan.run_settings("embed", defaults) == []  # no override: the ConfigMap's provider stands
    assert all(plan.run_settings(s, run_params) == [] for s in settings.STAGES if s != "embed")


@pytest.mark.parametrize("provider", params.PROVIDERS)
def test_every_provider_the_embed_cli_knows_is_a_valid_param(provider):
    body = {k: v for k, v in params.SCHEMAS["embedding_provider"].items() if k != "default"}
    jsonschema.validate(provider, body)
    assert plan.plan({"start": "2024-01-01", "end": "2024-01-02", "embedding_provider": provider}, None, None, "r")


def test_changed_days_gathers_every_chunks_days_once_and_ignores_missing_results():
    # None or a placeholder (not a mapping) for a map index whose ingest pushed nothing.
    results = [{"changed_days": ["2024-02-11", "2024-02-10"]}, None, {"changed_days": []}, {"counts": {}}, object(),
               {"changed_days": ["2024-02-11", "2023-12-31"]}]  # fmt: skip
    assert plan.changed_days(results) == [date(2023, 12, 31), date(2024, 2, 10), date(2024, 2, 11)]
    assert plan.changed_days(None) == [] and plan.changed_days([]) == []


def test_day_runs_joins_consecutive_days_up_to_the_chunk_size_and_splits_at_gaps():
    days = [date(2024, 2, d) for d in (1, 2, 3, 4, 5, 9, 10)] + [date(2024, 2, 3)]
    assert plan.day_runs(days, 3) == [(date(2024, 2, 1), date(2024, 2, 4)), (date(2024, 2, 4), date(2024, 2, 6)),
                                      (date(2024, 2, 9), date(2024, 2, 11))]  # fmt: skip
    assert plan.day_runs(days, 1) == [(d, d + timedelta(days=1)) for d in sorted(set(days))]
    assert plan.day_runs([], 7) == []
    with pytest.raises(ValueError, match="at least 1"):
        plan.day_runs(days, 0)


def test_changed_days_plan_runs_the_selected_later_stages_never_ingest_nor_a_full_refresh():
    days = [date(2024, 2, 10), date(2024, 2, 11)]
    calls = plan.plan_changed_days(days, {"full_refresh": True, "stages": ["ingest", "chunk", "embed", "load"]}, "run-1")
    assert calls["ingest"] == [] and calls["validate"] == []
    assert calls["chunk"] == [["--start", "2024-02-10", "--end", "2024-02-12", "--run-id", "run-1", "--log-format", "json"]]
    assert calls["embed"] == calls["chunk"]  # no --full-refresh: the other days' unchanged vectors are reused
    assert calls["validate_load"] == [calls["load"][0] + ["--after", "load"]]
    assert plan.per_chunk(plan.plan_changed_days(days, {"stages": ["ingest"]}, "run-1")) == []  # no later stage: no group
