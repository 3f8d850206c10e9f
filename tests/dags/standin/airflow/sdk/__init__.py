"""STAND-IN, NOT AIRFLOW: the part of ``airflow.sdk`` (Airflow 3.x) the DAGs use. Anything else is an ImportError."""

from airflow._standin import (
    DAG,
    BaseOperator,
    CronDataIntervalTimetable,
    Param,
    XComArg,
    get_current_context,
    task,
)

__all__ = ["DAG", "BaseOperator", "CronDataIntervalTimetable", "Param", "XComArg", "get_current_context", "task"]
