"""STAND-IN, NOT AIRFLOW: the core behind the stand-in ``airflow.sdk`` and KubernetesPodOperator.

Strict like Airflow where Airflow is strict (unknown constructor arguments, mapping rules, Param validation for
scheduled DAGs, trigger rules, duplicate task ids) and deliberately stricter in a few places, marked STRICTER, where
Airflow would only fail when the task runs or would silently ignore a typo. See airflow/__init__.py for the versions
the argument lists mirror.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import jsonschema

from airflow.exceptions import AirflowNotFoundException, DuplicateTaskIdFound, ParamValidationError


class _NotSet:
    def __repr__(self) -> str:
        return "NOTSET"


NOTSET: Any = _NotSet()
XCOM_RETURN_KEY = "return_value"

# BaseOperator.__init__ keyword arguments (task-sdk bases/operator.py).
BASE_OPERATOR_ARGS = frozenset("""
task_id owner email email_on_retry email_on_failure retries retry_delay retry_exponential_backoff max_retry_delay
retry_policy start_date end_date depends_on_past depends_on_previous_tasks ignore_first_depends_on_past
wait_for_past_depends_before_skipping wait_for_downstream dag params default_args priority_weight weight_rule queue
pool pool_slots sla execution_timeout on_execute_callback on_failure_callback on_success_callback on_retry_callback
on_skipped_callback pre_execute post_execute trigger_rule resources run_as_user map_index_template
max_active_tis_per_dag max_active_tis_per_dagrun executor executor_config do_xcom_push multiple_outputs inlets outlets
task_group doc doc_md doc_json doc_yaml doc_rst task_display_name logger_name allow_nested_operators
render_template_as_native_obj
""".split())

# DAG (task-sdk definitions/dag.py) init attributes.
DAG_ARGS = frozenset("""
dag_id description default_args start_date end_date schedule template_searchpath template_undefined
user_defined_macros user_defined_filters max_active_tasks max_active_runs max_consecutive_failed_dag_runs
dagrun_timeout deadline sla_miss_callback catchup on_success_callback on_failure_callback doc_md params access_control
is_paused_upon_creation jinja_environment_kwargs render_template_as_native_obj tags owner_links auto_register fail_fast
dag_display_name disable_bundle_versioning
""".split())

# KubernetesPodOperator.__init__ keyword arguments of its own (provider 10.x operators/pod.py), besides BaseOperator's.
KPO_ARGS = frozenset("""
kubernetes_conn_id namespace image name random_name_suffix cmds arguments ports volume_mounts volumes env_vars env_from
secrets in_cluster cluster_context labels reattach_on_restart startup_timeout_seconds startup_check_interval_seconds
schedule_timeout_seconds get_logs base_container_name base_container_status_polling_interval init_container_logs
container_logs image_pull_policy annotations container_resources affinity config_file node_selector image_pull_secrets
service_account_name automount_service_account_token hostnetwork host_aliases tolerations security_context
container_security_context dnspolicy dns_config hostname subdomain schedulername full_pod_spec init_containers
log_events_on_failure do_xcom_push pod_template_file pod_template_dict priority_class_name pod_runtime_info_envs
termination_grace_period configmaps skip_on_exit_code deferrable poll_interval log_pod_spec_on_failure on_finish_action
is_delete_operator_pod termination_message_policy active_deadline_seconds callbacks progress_callback logging_interval
trigger_kwargs container_name_log_prefix_enabled log_formatter
""".split())

TRIGGER_RULES = frozenset("""
all_success all_failed all_done all_done_min_one_success all_done_setup_success all_skipped one_success one_done
one_failed none_failed none_failed_min_one_success none_skipped always
""".split())

# JSON-schema keywords a Param may use (draft 2020-12 plus the UI's extras). STRICTER: Airflow passes unknown keys
# to jsonschema, which ignores them, so a typo such as "minumum" would silently not validate anything.
SCHEMA_KEYWORDS = frozenset("""
type enum const format title description default examples minimum maximum exclusiveMinimum exclusiveMaximum
multipleOf minLength maxLength pattern items prefixItems minItems maxItems uniqueItems contains properties
required additionalProperties patternProperties propertyNames minProperties maxProperties anyOf oneOf allOf not
values_display section custom_html_form description_md
""".split())

_KEY = re.compile(r"^[\w.-]+$")
_dag_stack: list[DAG] = []
registered: list[DAG] = []  # DAGs created in a `with DAG(...)` block, as a DagBag would collect them
_current_context: list[Mapping] = []
_group_stack: list[TaskGroup] = []


def _unexpected(name: str, func: str, unknown: Iterable[str]) -> TypeError:
    unknown = list(unknown)
    if len(unknown) == 1:
        return TypeError(f"{name}.{func}() got an unexpected keyword argument {unknown[0]!r}")
    return TypeError(f"{name}.{func}() got unexpected keyword arguments {', '.join(repr(u) for u in unknown)}")


def validate_key(key: str, what: str = "key") -> None:
    if not isinstance(key, str) or not _KEY.match(key) or len(key) > 250:
        raise ValueError(f"The {what} '{key}' has to be made of alphanumeric characters, dashes, dots and underscores")


def current_dag() -> DAG | None:
    return _dag_stack[-1] if _dag_stack else None


# ---------------------------------------------------------------------------------------------------------- Param


class Param:
    """``airflow.sdk.Param(default=NOTSET, description=None, **schema)``."""

    def __init__(self, default: Any = NOTSET, description: str | None = None, **kwargs: Any) -> None:
        self.value = default
        self.description = description
        self.schema = kwargs.pop("schema") if "schema" in kwargs else kwargs
        unknown = sorted(set(self.schema) - SCHEMA_KEYWORDS)
        if unknown:
            raise ValueError(f"Param schema has unknown keywords {unknown} (STRICTER than Airflow)")
        jsonschema.Draft202012Validator.check_schema(self.schema)
        if default is not NOTSET:
            try:
                json.dumps(default)
            except (TypeError, ValueError) as e:
                raise ParamValidationError("All provided parameters must be json-serializable") from e

    def resolve(self, value: Any = NOTSET, name: str = "param") -> Any:
        final = self.value if value is NOTSET else value
        if final is NOTSET:
            raise ParamValidationError(f"No value passed and Param {name} has no default value")
        try:
            jsonschema.validate(final, self.schema, format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as e:
            raise ParamValidationError(f"Invalid input for param {name}: {e.message}") from None
        return final


# ------------------------------------------------------------------------------------------------------ Timetable


def _check_cron(expression: Any) -> None:
    fields = expression.split() if isinstance(expression, str) else []
    if expression in _CRON_PRESETS:
        # STRICTER than 3.3 (and as strict as 3.2.0-3.2.1, whose task-SDK timetable hands the expression to croniter
        # unchanged and fails at parse time on a preset): write the five fields, "0 0 * * *", not "@daily".
        raise ValueError(f"Invalid cron expression: {expression!r} (a preset: write the five cron fields)")
    if not (len(fields) == 5 and all(re.match(r"^[\d*/,\-A-Za-z?#]+$", f) for f in fields)):
        raise ValueError(f"Invalid cron expression: {expression!r}")


_CRON_PRESETS = frozenset({"@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually"})


class CronDataIntervalTimetable:
    """``CronDataIntervalTimetable(expression, timezone)`` (task-sdk definitions/timetables/interval.py, attrs fields
    ``expression`` and ``timezone`` from CronMixin): one run per cron interval, covering that interval."""

    def __init__(self, expression: str, timezone: str | tzinfo) -> None:
        _check_cron(expression)
        if not isinstance(timezone, (str, tzinfo)):
            raise TypeError("timezone must be a name or a tzinfo")
        self.expression = expression
        self.timezone = timezone
        self.can_be_scheduled = True


class CronTriggerTimetable(CronDataIntervalTimetable):
    """``CronTriggerTimetable(expression, timezone, *, interval=timedelta(), run_immediately=False)``: runs at the
    cron times; the data interval is ``interval`` long (empty by default)."""

    def __init__(self, expression: str, timezone: str | tzinfo, *, interval: timedelta = timedelta(),
                 run_immediately: bool | timedelta = False) -> None:  # fmt: skip
        super().__init__(expression, timezone)
        if not isinstance(interval, timedelta):
            raise TypeError("interval must be a timedelta")
        self.interval, self.run_immediately = interval, run_immediately


# -------------------------------------------------------------------------------------------------------- Assets


class Asset:
    """``airflow.sdk.Asset(name=None, uri=None, *, group="asset", extra=None)``: name and uri default to each other."""

    def __init__(self, name: str | None = None, uri: str | None = None, *, group: str = "asset",
                 extra: dict | None = None) -> None:  # fmt: skip
        if name is None and uri is None:
            raise TypeError("Asset() requires either 'name' or 'uri'")
        name, uri = name or uri, uri or name
        if not name or len(name) > 1500 or not uri or len(uri) > 1500:
            raise ValueError("Asset name and uri must be non-empty and at most 1500 characters")
        scheme = uri.split("://", 1)[0] if "://" in uri else ""
        if scheme.lower() == "airflow":
            raise ValueError("Asset scheme 'airflow' is reserved")
        if extra is not None:
            json.dumps(extra)
        self.name, self.uri, self.group, self.extra = name, uri, group, extra or {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Asset) and (self.name, self.uri) == (other.name, other.uri)

    def __hash__(self) -> int:
        return hash((self.name, self.uri))

    def __repr__(self) -> str:
        return f"Asset(name={self.name!r}, uri={self.uri!r})"


class AssetOrTimeSchedule:
    """``AssetOrTimeSchedule(*, timetable, assets)``: a run on the timetable, and one whenever the assets update."""

    def __init__(self, *, timetable: CronDataIntervalTimetable, assets: Sequence[Asset]) -> None:
        if not isinstance(timetable, CronDataIntervalTimetable):
            raise TypeError("timetable must be a timetable")
        if not assets or not all(isinstance(a, Asset) for a in assets):
            raise TypeError("assets must be a non-empty collection of Asset")
        self.timetable, self.assets = timetable, list(assets)
        self.can_be_scheduled = timetable.can_be_scheduled


# ------------------------------------------------------------------------------------------------------------ DAG


class DAG:
    """``airflow.sdk.DAG``: keyword arguments checked against the task-sdk's list; a context manager."""

    def __init__(self, dag_id: str, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in DAG_ARGS]
        if unknown:
            raise TypeError(f"DAG.__init__() got an unexpected keyword argument {unknown[0]!r}")
        validate_key(dag_id, "dag_id")
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.schedule = kwargs.get("schedule")
        self.start_date = kwargs.get("start_date")
        self.catchup = kwargs.get("catchup", False)
        self.default_args = dict(kwargs.get("default_args") or {})
        self.max_active_runs = kwargs.get("max_active_runs", 16)
        self.tags = set(kwargs.get("tags") or [])
        self.doc_md = kwargs.get("doc_md")
        self.task_dict: dict[str, Operator] = {}
        self.params = {k: v if isinstance(v, Param) else Param(v) for k, v in (kwargs.get("params") or {}).items()}
        self._validate()

    def _validate(self) -> None:
        if not isinstance(self.kwargs.get("default_args", {}), dict):
            raise TypeError("default_args must be a dict")
        # STRICTER: Airflow ignores default_args that no operator accepts; a typo would silently drop a retry policy.
        unknown = sorted(set(self.default_args) - BASE_OPERATOR_ARGS - KPO_ARGS - PYTHON_OPERATOR_ARGS)
        if unknown:
            raise TypeError(f"default_args has keys no operator accepts: {unknown} (STRICTER than Airflow)")
        for key in ("max_active_runs", "max_active_tasks", "max_consecutive_failed_dag_runs"):
            if key in self.kwargs and not isinstance(self.kwargs[key], int):
                raise TypeError(f"'{key}' must be <class 'int'>")
        if self.kwargs.get("dagrun_timeout") is not None and not isinstance(self.kwargs["dagrun_timeout"], timedelta):
            raise TypeError("'dagrun_timeout' must be a timedelta")
        if self.start_date is not None and not isinstance(self.start_date, datetime):
            raise TypeError("start_date must be a datetime")
        if any(len(t) > 100 for t in self.tags):
            raise ValueError("tag cannot be longer than 100 characters")
        schedule = self.schedule
        if schedule is not None and not isinstance(
            schedule, (str, timedelta, CronDataIntervalTimetable, AssetOrTimeSchedule, list)
        ):
            raise TypeError(f"unsupported schedule {schedule!r} (the stand-in knows str, timedelta, timetables, assets)")
        if isinstance(schedule, list) and not all(isinstance(a, Asset) for a in schedule):
            raise TypeError("a list schedule must hold Assets")
        if schedule is not None:
            if self.catchup and not (self.start_date or "start_date" in self.default_args):
                raise ValueError("start_date is required when catchup=True")
            for name, param in self.params.items():
                try:
                    param.resolve(name=name)
                except ParamValidationError as e:
                    raise ValueError(
                        f"Dag {self.dag_id!r} is not allowed to define a Schedule, as there are required params "
                        "without default values, or the default values are not valid."
                    ) from e

    def __enter__(self) -> DAG:
        _dag_stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _dag_stack.pop()
        if self.kwargs.get("auto_register", True) and exc[0] is None:
            registered.append(self)

    def add_task(self, task: Operator) -> None:
        if task.task_id in self.task_dict:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the Dag")
        self.task_dict[task.task_id] = task

    @property
    def tasks(self) -> list[Operator]:
        return list(self.task_dict.values())

    @property
    def task_ids(self) -> list[str]:
        return list(self.task_dict)

    def resolve_params(self, conf: Mapping | None = None) -> dict[str, Any]:
        """What a triggered run's ``params`` would be: defaults overridden by the run's conf, each validated."""
        conf = dict(conf or {})
        unknown = sorted(set(conf) - set(self.params))
        if unknown:
            raise ParamValidationError(f"unknown params {unknown}")
        return {name: p.resolve(conf.get(name, NOTSET), name=name) for name, p in self.params.items()}


# ------------------------------------------------------------------------------------------------------ operators


class Operator:
    """What the stand-in DAG holds: a task with up/downstream links (plain or mapped)."""

    task_id: str
    dag: DAG

    def _attach(self, task_id: str) -> None:
        dag = current_dag()
        if dag is None:
            raise RuntimeError(f"task {task_id!r} created outside a DAG (the stand-in supports `with DAG(...)` only)")
        validate_key(task_id, "task_id")
        group = _group_stack[-1] if _group_stack else None
        if group is not None:
            task_id = f"{group.group_id}.{task_id}"  # prefix_group_id=True, Airflow's default
            group.children.append(self)
        self.task_group = group
        self.task_id, self.dag = task_id, dag
        self.upstream_task_ids: set[str] = set()
        self.downstream_task_ids: set[str] = set()
        dag.add_task(self)

    def set_downstream(self, other: Any) -> None:
        for target in other if isinstance(other, (list, tuple, set)) else [other]:
            task = target.operator if isinstance(target, XComArg) else target
            if not isinstance(task, Operator):
                raise TypeError(f"Relationships can only be set between operators; received {type(task).__name__}")
            self.downstream_task_ids.add(task.task_id)
            task.upstream_task_ids.add(self.task_id)

    def __rshift__(self, other: Any) -> Any:
        self.set_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        for source in other if isinstance(other, (list, tuple, set)) else [other]:
            (source.operator if isinstance(source, XComArg) else source).set_downstream(self)
        return other

    def _link_xcom_args(self, value: Any) -> None:
        for arg in _iter_xcom_args(value):
            arg.operator.set_downstream(self)


def _iter_xcom_args(value: Any) -> Iterable[XComArg]:
    if isinstance(value, XComArg):
        yield value
    elif isinstance(value, MappedArgument):
        yield from _iter_xcom_args(value.input)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _iter_xcom_args(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _iter_xcom_args(v)


class XComArg:
    """Reference to a task's XCom (its return value unless a key is given)."""

    def __init__(self, operator: Operator, key: str = XCOM_RETURN_KEY) -> None:
        self.operator, self.key = operator, key

    def __getitem__(self, key: str) -> XComArg:
        return XComArg(self.operator, key)

    def iter_references(self) -> Iterable[tuple[Operator, str]]:
        yield self.operator, self.key

    def __rshift__(self, other: Any) -> Any:
        return self.operator >> other

    def __repr__(self) -> str:
        return f"XComArg(<Task: {self.operator.task_id}>, {self.key!r})"


def _check_trigger_rule(task_id: str, rule: Any) -> None:
    if rule not in TRIGGER_RULES:
        raise ValueError(f"The trigger_rule must be one of {sorted(TRIGGER_RULES)},'.{task_id}'; received '{rule}'.")


def _check_base_types(task_id: str, kwargs: Mapping[str, Any]) -> None:
    """BaseOperator.__init__'s own checks."""
    if "trigger_rule" in kwargs:
        _check_trigger_rule(task_id, kwargs["trigger_rule"])
    if kwargs.get("pool_slots", 1) < 1:
        raise ValueError(f"pool slots for {task_id} cannot be less than 1")
    timeout = kwargs.get("execution_timeout")
    if timeout is not None and not isinstance(timeout, timedelta):
        raise ValueError(f"execution_timeout must be timedelta object but passed as type: {type(timeout)}")
    retries = kwargs.get("retries")
    if retries is not None and type(retries) is not int:
        raise TypeError(f"'retries' type must be int, not {type(retries).__name__}")
    for key in ("retry_delay", "max_retry_delay"):
        if key in kwargs and kwargs[key] is not None and not isinstance(kwargs[key], (timedelta, int, float)):
            raise TypeError(f"{key} must be a timedelta or seconds")
    backoff = kwargs.get("retry_exponential_backoff", 0)
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 0:
        # Airflow 3 task-sdk: a float multiplier (0 = off, 2.0 = doubling). Airflow 2.x took a bool.
        raise TypeError(f"retry_exponential_backoff must be a float multiplier >= 0 on Airflow 3, not {backoff!r}")


class BaseOperator(Operator):
    """Classic operator: ``__init__`` accepts exactly ``_ARGS`` and raises Airflow's TypeError otherwise."""

    _ARGS: frozenset[str] = BASE_OPERATOR_ARGS
    template_fields: Sequence[str] = ()

    def __init__(self, **kwargs: Any) -> None:
        task_id = kwargs.get("task_id")
        unknown = {k: v for k, v in kwargs.items() if k not in self._ARGS}
        if unknown:
            raise TypeError(
                f"Invalid arguments were passed to {type(self).__name__} (task_id: {task_id}). "
                f"Invalid arguments were:\n**kwargs: {unknown}"
            )
        if task_id is None:
            raise TypeError(f"{type(self).__name__}.__init__() missing 1 required keyword-only argument: 'task_id'")
        dag = current_dag()
        merged = {k: v for k, v in (dag.default_args if dag else {}).items() if k in self._ARGS} | kwargs
        _check_base_types(task_id, merged)
        self.validate_operator_args(merged)
        self.kwargs = merged
        self._attach(task_id)
        for field in self.template_fields:
            self._link_xcom_args(merged.get(field))

    @classmethod
    def validate_operator_args(cls, kwargs: Mapping[str, Any]) -> None:
        """Operator-specific checks of ``__init__`` (override)."""

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._ARGS and name in self.__dict__.get("kwargs", {}):
            return self.kwargs[name]
        raise AttributeError(name)

    @property
    def output(self) -> XComArg:
        return XComArg(self)

    @classmethod
    def partial(cls, **kwargs: Any) -> OperatorPartial:
        if "task_id" not in kwargs:
            raise TypeError("partial() missing 1 required keyword-only argument: 'task_id'")
        unknown = [k for k in kwargs if k not in cls._ARGS]
        if unknown:
            raise _unexpected(cls.__name__, "partial", unknown)
        dag = current_dag()
        merged = {k: v for k, v in (dag.default_args if dag else {}).items() if k in BASE_OPERATOR_ARGS} | kwargs
        _check_base_types(kwargs["task_id"], merged)
        cls.validate_operator_args(merged)  # STRICTER: Airflow checks these types only when the mapped task runs
        return OperatorPartial(cls, merged)


def _is_mappable(value: Any) -> bool:
    return isinstance(value, (XComArg, list, dict))


def ensure_xcomarg_return_value(value: Any) -> None:
    for arg in _iter_xcom_args(value):
        for operator, key in arg.iter_references():
            if key != XCOM_RETURN_KEY:
                raise ValueError(f"cannot map over XCom with custom key {key!r} from <Task: {operator.task_id}>")


class OperatorPartial:
    """What ``Operator.partial()`` returns; ``expand``/``expand_kwargs`` make the mapped task."""

    def __init__(self, operator_class: type[BaseOperator], kwargs: dict[str, Any]) -> None:
        self.operator_class, self.kwargs = operator_class, kwargs

    def expand(self, **mapped: Any) -> MappedOperator:
        cls = self.operator_class
        unknown = [k for k in mapped if k not in cls._ARGS]
        if unknown:
            raise _unexpected(cls.__name__, "expand", unknown)
        for name, value in mapped.items():
            if not _is_mappable(value):
                kind = type(value).__name__
                raise ValueError(f"{cls.__name__}.expand() got an unexpected type {kind!r} for keyword argument {name}")
        duplicated = sorted(set(self.kwargs) & set(mapped))
        if duplicated:
            raise TypeError(f"unmappable or already specified argument: {duplicated[0]}")
        ensure_xcomarg_return_value(mapped)
        return MappedOperator(self, mapped)

    def expand_kwargs(self, kwargs: Any) -> MappedOperator:
        if not isinstance(kwargs, (XComArg, list)):
            raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        ensure_xcomarg_return_value(kwargs)
        return MappedOperator(self, {"<expand_kwargs>": kwargs})


class MappedOperator(Operator):
    """A task mapped over its ``expand_input``: one task instance per element, none (skipped) when empty."""

    def __init__(self, partial: OperatorPartial, expand_input: dict[str, Any]) -> None:
        self.operator_class = partial.operator_class
        self.partial_kwargs = dict(partial.kwargs)
        self.expand_input = expand_input
        self._attach(self.partial_kwargs["task_id"])
        self._link_xcom_args(expand_input)

    def __getattr__(self, name: str) -> Any:
        kwargs = self.__dict__.get("partial_kwargs", {})
        if name in kwargs:
            return kwargs[name]
        raise AttributeError(name)


# --------------------------------------------------------------------------------------------------------- @task

PYTHON_OPERATOR_ARGS = frozenset(
    {"python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts", "show_return_value_in_logs"}
)


class _PythonDecoratedOperator(BaseOperator):
    _ARGS = BASE_OPERATOR_ARGS | PYTHON_OPERATOR_ARGS
    template_fields = ("templates_dict", "op_args", "op_kwargs")


class _TaskDecorator:
    def __init__(self, function: Callable, kwargs: dict[str, Any]) -> None:
        unknown = [k for k in kwargs if k not in _PythonDecoratedOperator._ARGS]
        if unknown:
            raise _unexpected("task", "__call__", unknown)
        self.function, self.kwargs = function, kwargs

    def override(self, **kwargs: Any) -> _TaskDecorator:
        return _TaskDecorator(self.function, self.kwargs | kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> XComArg:
        inspect.signature(self.function).bind(*args, **kwargs)  # Python's own TypeError for wrong arguments
        options = dict(self.kwargs)
        returns = inspect.signature(self.function).return_annotation
        if "multiple_outputs" not in options:
            options["multiple_outputs"] = isinstance(returns, str) and returns.startswith(("dict", "Dict"))
        operator = _PythonDecoratedOperator(
            task_id=options.pop("task_id", self.function.__name__),
            python_callable=self.function, op_args=list(args), op_kwargs=kwargs, **options,
        )
        return XComArg(operator)


def task(python_callable: Callable | None = None, **kwargs: Any) -> Any:
    """``@task`` / ``@task(**operator_kwargs)`` (PythonOperator flavour only)."""
    if python_callable is not None:
        return _TaskDecorator(python_callable, kwargs)
    return lambda function: _TaskDecorator(function, kwargs)


def get_current_context() -> Mapping[str, Any]:
    if not _current_context:
        raise RuntimeError("Current context was requested but no context was found! Are you running within a task?")
    return _current_context[-1]


def run_python_task(dag: DAG, task_id: str, context: Mapping[str, Any]) -> Any:
    """Test helper: call a @task's function as its task instance would, with ``context`` as the current context."""
    operator = dag.task_dict[task_id]
    if not isinstance(operator, _PythonDecoratedOperator):
        raise TypeError(f"{task_id} is not a @task")
    _current_context.append(context)
    try:
        return operator.kwargs["python_callable"](*operator.kwargs["op_args"], **operator.kwargs["op_kwargs"])
    finally:
        _current_context.pop()




# ----------------------------------------------------------------------------------------------------- @task_group

TASK_GROUP_ARGS = frozenset("""
group_id prefix_group_id parent_group dag default_args tooltip ui_color ui_fgcolor add_suffix_on_collision
group_display_name
""".split())


class MappedArgument:
    """Stand-in stub for a mapped task group's argument (task-sdk expandinput.py): resolved per map index at run time.
    Like Airflow's, it has no ``__getitem__``: a group that needs one value per stage maps with ``expand_kwargs``."""

    def __init__(self, input: Any, key: str) -> None:  # noqa: A002 (Airflow's field name)
        self.input, self.key = input, key

    def __repr__(self) -> str:
        return f"MappedArgument({self.key!r})"


class TaskGroup:
    """A task group: its tasks' ids are prefixed with ``group_id.``; mapped when ``expand_input`` is set."""

    def __init__(self, group_id: str, expand_input: Any = None, kind: str = "", **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in TASK_GROUP_ARGS]
        if unknown:
            raise TypeError(f"TaskGroup.__init__() got an unexpected keyword argument {unknown[0]!r}")
        if _group_stack and _group_stack[-1].expand_input is not None and expand_input is not None:
            raise ValueError("Nested Mapped TaskGroups are not yet supported")
        validate_key(group_id, "group_id")
        self.group_id, self.expand_input, self.kind = group_id, expand_input, kind
        self.children: list[Operator] = []

    @property
    def is_mapped(self) -> bool:
        return self.expand_input is not None

    def __enter__(self) -> TaskGroup:
        if current_dag() is None:
            raise RuntimeError("a task group needs a DAG")
        _group_stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _group_stack.pop()


class _TaskGroupFactory:
    """``@task_group``: call it for one group; ``expand(**lists)`` / ``expand_kwargs(list_of_dicts)`` map it."""

    def __init__(self, function: Callable, tg_kwargs: dict[str, Any]) -> None:
        unknown = [k for k in tg_kwargs if k not in TASK_GROUP_ARGS]
        if unknown:
            raise TypeError(f"got an unexpected keyword argument {unknown[0]!r}")
        self.function, self.tg_kwargs = function, {"group_id": function.__name__} | tg_kwargs
        self.signature = inspect.signature(function)

    def override(self, **kwargs: Any) -> _TaskGroupFactory:
        return _TaskGroupFactory(self.function, self.tg_kwargs | kwargs)

    def _create(self, expand_input: Any, kind: str, kwargs: dict[str, Any]) -> Any:
        self.signature.bind(**kwargs)  # Python's own TypeError for a wrong argument
        with TaskGroup(expand_input=expand_input, kind=kind, **self.tg_kwargs) as group:
            result = self.function(**kwargs)
        return group if result is None else result

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.signature.bind(*args, **kwargs)
        with TaskGroup(**self.tg_kwargs) as group:
            result = self.function(*args, **kwargs)
        return group if result is None else result

    def expand(self, **kwargs: Any) -> Any:
        if not kwargs:
            raise TypeError("no arguments to expand against")
        unknown = [k for k in kwargs if k not in self.signature.parameters]
        if unknown:
            raise TypeError(f"{self.function.__name__} got an unexpected keyword argument {unknown[0]!r}")
        for name, value in kwargs.items():
            if not _is_mappable(value):
                raise ValueError(f"expand() got an unexpected type {type(value).__name__!r} for keyword argument {name}")
        ensure_xcomarg_return_value(kwargs)
        return self._create(kwargs, "dict_of_lists", {k: MappedArgument(kwargs, k) for k in kwargs})

    def expand_kwargs(self, kwargs: Any) -> Any:
        if isinstance(kwargs, list):
            if not all(isinstance(i, (XComArg, Mapping)) for i in kwargs):
                raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        elif not isinstance(kwargs, XComArg):
            raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in self.signature.parameters.values()):
            raise TypeError("calling expand_kwargs() on task group function with * or ** is not supported")
        ensure_xcomarg_return_value(kwargs)
        return self._create(kwargs, "list_of_dicts", {k: MappedArgument(kwargs, k) for k in self.signature.parameters})


def task_group(python_callable: Callable | None = None, **tg_kwargs: Any) -> Any:
    if callable(python_callable) and not tg_kwargs:
        return _TaskGroupFactory(python_callable, {})
    return lambda function: _TaskGroupFactory(function, tg_kwargs)


# ------------------------------------------------------------------------------------- Connection, hooks, notifiers


class Connection:
    """``airflow.sdk.Connection``: the fields of an Airflow connection; ``extra`` is a JSON string."""

    def __init__(self, conn_id: str, conn_type: str, description: str | None = None, host: str | None = None,
                 schema: str | None = None, login: str | None = None, password: str | None = None,
                 port: int | None = None, extra: str | dict | None = None) -> None:  # fmt: skip
        self.conn_id, self.conn_type, self.description = conn_id, conn_type, description
        self.host, self.schema, self.login, self.password, self.port = host, schema, login, password, port
        self.extra = json.dumps(extra) if isinstance(extra, dict) else extra

    @property
    def extra_dejson(self) -> dict:
        return json.loads(self.extra) if self.extra else {}

    @classmethod
    def from_env(cls, conn_id: str, value: str) -> Connection:
        """AIRFLOW_CONN_<ID> as Airflow reads it: a JSON object, or a URI (path = schema, query = extra)."""
        from urllib.parse import parse_qsl, unquote, urlsplit

        if value.lstrip().startswith("{"):
            fields = json.loads(value)
            return cls(conn_id=conn_id, **fields)
        url = urlsplit(value)
        query = dict(parse_qsl(url.query))
        extra = json.loads(query["__extra__"]) if "__extra__" in query else query
        return cls(conn_id=conn_id, conn_type=url.scheme.replace("-", "_"), host=unquote(url.hostname or "") or None,
                   schema=unquote(url.path[1:]) or None, login=unquote(url.username) if url.username else None,
                   password=unquote(url.password) if url.password else None, port=url.port, extra=extra or None)  # fmt: skip


class BaseHook:
    """``airflow.sdk.BaseHook.get_connection``: here from the environment only (AIRFLOW_CONN_<CONN_ID>), which is one
    of the places Airflow looks (secrets backends and the metadata database are the others)."""

    @classmethod
    def get_connection(cls, conn_id: str) -> Connection:
        import os

        value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
        if value is None:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        return Connection.from_env(conn_id, value)


class BaseNotifier:
    """``airflow.sdk.BaseNotifier`` (task-sdk bases/notifier.py): a callback object; ``__call__(context)`` renders
    template fields, calls ``notify(context)`` and logs (never raises) what ``notify`` raises."""

    template_fields: Sequence[str] = ()

    def __init__(self) -> None:
        import logging

        self.log = logging.getLogger(f"airflow.task.notifier.{type(self).__name__}")

    def notify(self, context: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any) -> None:
        context = args[0] if len(args) == 1 else {"dag": args[0], "task_list": args[1]}
        try:
            self.notify(context)
        except Exception as e:
            self.log.exception("Failed to send notification: %s", e)
