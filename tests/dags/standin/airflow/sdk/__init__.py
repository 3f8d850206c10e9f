"""STAND-IN, NOT AIRFLOW: the part of ``airflow.sdk`` (Airflow 3.x) the DAGs use. Anything else is an ImportError."""

from airflow._standin import (
    DAG,
    Asset,
    AssetOrTimeSchedule,
    BaseHook,
    BaseNotifier,
    BaseOperator,
    Connection,
    CronDataIntervalTimetable,
    CronTriggerTimetable,
    Param,
    TaskGroup,
    XComArg,
    get_current_context,
    task,
    task_group,
)

__all__ = [
    "DAG", "Asset", "AssetOrTimeSchedule", "BaseHook", "BaseNotifier", "BaseOperator", "Connection",
    "CronDataIntervalTimetable", "CronTriggerTimetable", "Param", "TaskGroup", "XComArg", "get_current_context", "task",
    "task_group",
]
