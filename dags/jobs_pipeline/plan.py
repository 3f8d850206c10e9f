"""What one DAG run launches: its date range split into half-open chunks, and each stage's arguments per chunk.

Pure functions (no Airflow, no I/O): the DAG's planning task calls ``from_context``; tests call ``plan`` directly.
``python3 -m jobs_pipeline.plan --start 2024-03-01 --end 2024-04-01 --stages embed`` prints the plan as JSON.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from . import params, settings


def split(start: date, end: date, days: int) -> list[tuple[date, date]]:
    """[start, end) as consecutive chunks of at most ``days`` days, like the stages' own DateChunkPlanner."""
    if days < 1:
        raise ValueError(f"chunk_days must be at least 1, not {days}")
    chunks, day = [], start
    while day < end:
        chunks.append((day, min(day + timedelta(days=days), end)))
        day += timedelta(days=days)
    return chunks


def _day(value: date | datetime | str, *, round_up: bool = False) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if not isinstance(value, datetime):
        return value
    midnight = value.time() == time(0) and (value.utcoffset() or timedelta(0)) == timedelta(0)
    return value.date() + timedelta(days=1) if round_up and not midnight else value.date()


def resolve_window(
    run_params: Mapping, interval_start: datetime | None, interval_end: datetime | None
) -> tuple[date, date]:
    """The days to process: the Params' start/end when given, else the run's data interval (widened to whole days)."""
    start, end = run_params.get("start"), run_params.get("end")
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither (to use the run's data interval)")
    if start is not None:
        first, stop = _day(start), _day(end)
    elif interval_start is None or interval_end is None or interval_start == interval_end:
        raise ValueError("this run has no data interval (a manual run?): set the start and end Params")
    else:
        first, stop = _day(interval_start), _day(interval_end, round_up=True)
    if stop <= first:
        raise ValueError(f"end {stop} must be after start {first} (end is exclusive)")
    if (stop - first).days > settings.MAX_RANGE_DAYS:
        raise ValueError(
            f"{first} to {stop} is {(stop - first).days} days, over the maximum of {settings.MAX_RANGE_DAYS} per run "
            "(JOBS_MAX_RANGE_DAYS): split it into several runs"
        )
    return first, stop


REPLAY_FLAG = "--replay-dead-letters"  # jobs-embed: embed the dead-lettered chunks again, drop those that succeed


def stage_arguments(
    stage: str, chunk: tuple[date, date], run_id: str, full_refresh: bool = False, replay: bool = False
) -> list[str]:
    """The container arguments of one stage for one chunk: the shared contract, and the run's own flags.

    Stage settings are not arguments: they come as configuration keys (the ConfigMap and ``StageSpec.settings``).
    """
    start, end = chunk
    common = ["--start", start.isoformat(), "--end", end.isoformat(), "--run-id", run_id, "--log-format", "json"]
    refresh = ["--full-refresh"] if full_refresh and stage == "embed" else []
    spec = settings.spec(stage)
    own = list(spec.arguments) + (["--result-file", settings.XCOM_RESULT_FILE] if spec.pushes_result else [])
    return common + own + refresh + ([REPLAY_FLAG] if replay and stage == "embed" else [])


def run_settings(stage: str, run_params: Mapping) -> list[tuple[str, str]]:
    """The configuration keys a run's Params set on one stage's pod (e.g. embed's JOBS_MODEL__PROVIDER from the Param
    embedding_provider): only the Params the run gives; a null Param leaves the ConfigMap's value in force."""
    return [(key, str(run_params[name])) for name, key in settings.spec(stage).run_settings
            if run_params.get(name) not in (None, "")]  # fmt: skip


def _selected(stage: str, stages: Sequence[str]) -> bool:
    follows = settings.STAGES[stage].selected_with
    return (follows or stage) in stages


def plan(
    run_params: Mapping, interval_start: datetime | None, interval_end: datetime | None, run_id: str
) -> dict[str, list[list[str]]]:
    """Stage name -> one argument list per chunk, in pipeline order; an empty list for each stage not selected
    (validate_load, the after-load check, runs with load)."""
    merged = _with_defaults(run_params)
    if merged.get("embedding_provider") == "onnx" and merged.get("embedding_endpoint"):
        # jobs-embed would refuse it too (exit 2), but only after ingest and chunk ran: refuse before any pod starts.
        raise ValueError("embedding_endpoint is for a remote provider (openai, ollama, tei), not onnx")
    unknown = sorted(set(merged["stages"]) - set(params.STAGE_NAMES))
    if unknown:
        raise ValueError(f"unknown stages {unknown}; known: {params.STAGE_NAMES}")
    chunks = split(*resolve_window(merged, interval_start, interval_end), int(merged["chunk_days"]))
    flags = {"full_refresh": bool(merged["full_refresh"]), "replay": bool(merged.get("replay_dead_letters", False))}
    return _calls(chunks, run_id, lambda stage: _selected(stage, merged["stages"]), **flags)


def _with_defaults(run_params: Mapping) -> dict:
    """The run's Params over the pipeline Params' defaults."""
    return {name: schema["default"] for name, schema in params.SCHEMAS.items()} | dict(run_params)


def _calls(chunks: Sequence[tuple[date, date]], run_id: str, selected: Callable[[str], bool],
           full_refresh: bool, replay: bool) -> dict[str, list[list[str]]]:  # fmt: skip
    """Stage name -> its arguments for each chunk, in pipeline order; [] for a stage not ``selected``."""
    return {
        stage: [stage_arguments(stage, chunk, run_id, full_refresh=full_refresh, replay=replay) for chunk in chunks]
        if selected(stage)
        else []
        for stage in settings.STAGES
    }


def from_context(context: Mapping) -> dict[str, list[list[str]]]:
    """``plan`` for the running task, from its Airflow context (params, data interval, run_id)."""
    interval = context.get("data_interval_start"), context.get("data_interval_end")
    return plan(context["params"], *interval, context["run_id"])


def per_chunk(calls: Mapping[str, list[list[str]]]) -> list[dict[str, list[str]]]:
    """``plan``'s stage -> chunks turned into one {stage: arguments} per chunk (the mapped task group's kwargs); an
    unselected stage gets [] in every chunk (its task skips itself)."""
    count = max(len(chunks) for chunks in calls.values())
    return [{stage: chunks[i] if chunks else [] for stage, chunks in calls.items()} for i in range(count)]


def changed_days(results: Sequence[Mapping | None] | None) -> list[date]:
    """The days named in the ingest results' ``changed_days`` (days outside each pod's chunk whose documents it
    changed), sorted, each once; results of chunks whose ingest did not run or pushed nothing are None or absent."""
    days = {date.fromisoformat(day) for result in results or [] if isinstance(result, Mapping)
            for day in result.get("changed_days") or []}  # fmt: skip
    return sorted(days)


def day_runs(days: Sequence[date], chunk_days: int) -> list[tuple[date, date]]:
    """Consecutive days as half-open chunks of at most ``chunk_days`` days; a gap starts a new chunk."""
    if chunk_days < 1:
        raise ValueError(f"chunk_days must be at least 1, not {chunk_days}")
    chunks: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if chunks and chunks[-1][1] == day and (day - chunks[-1][0]).days < chunk_days:
            chunks[-1] = (chunks[-1][0], day + timedelta(days=1))
        else:
            chunks.append((day, day + timedelta(days=1)))
    return chunks


def plan_changed_days(days: Sequence[date], run_params: Mapping, run_id: str) -> dict[str, list[list[str]]]:
    """``plan`` for the days another chunk's ingest changed: the run's selected stages after ingest (ingest itself
    already wrote their documents), over ``days`` grouped into chunks; nothing when no later stage is selected."""
    merged = _with_defaults(run_params)
    chunks = day_runs(days, int(merged["chunk_days"]))
    return _calls(chunks, run_id, lambda stage: stage != "ingest" and _selected(stage, merged["stages"]),
                  full_refresh=False, replay=False)


def theme_arguments(run_params: Mapping, run_day: date | datetime | None, run_id: str) -> list[str]:
    """The theme stage's arguments: the Params' start/end, else the THEME_WINDOW_DAYS days before the run's day."""
    if run_params.get("start") is None and run_params.get("end") is None:
        if run_day is None:
            raise ValueError("this run has no date (no data interval, no run_after): set the start and end Params")
        stop = _day(run_day)
        window = (stop - timedelta(days=settings.THEME_WINDOW_DAYS), stop)
    else:
        window = resolve_window(run_params, None, None)
    return stage_arguments("theme", window, run_id)


def run_day(context: Mapping) -> datetime | None:
    """The day a run is for: the end of its data interval, else when it was triggered (asset-triggered runs)."""
    end = context.get("data_interval_end")
    if end is not None:
        return end
    dag_run = context.get("dag_run")
    after = getattr(dag_run, "run_after", None) or (dag_run.get("run_after") if isinstance(dag_run, Mapping) else None)
    return after or context.get("logical_date")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python3 -m jobs_pipeline.plan", description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--chunk-days", type=int, default=settings.CHUNK_DAYS)
    parser.add_argument("--stages", nargs="+", default=params.STAGE_NAMES)
    parser.add_argument("--run-id", default="manual__plan")
    a = parser.parse_args(argv)
    run_params = {"start": a.start, "end": a.end, "chunk_days": a.chunk_days, "stages": a.stages}
    print(json.dumps(plan(run_params, None, None, a.run_id), indent=2))


if __name__ == "__main__":
    main()
