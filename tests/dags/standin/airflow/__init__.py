"""STAND-IN, NOT AIRFLOW. A minimal, strict imitation of the few Airflow classes the DAGs in dags/ use, so tests can
import the DAG files where Airflow cannot be installed (no PyPI on the build machines). It is on sys.path only in
tests (tests/dags/conftest.py) and proves structure, not that Airflow accepts the DAG: run the DagBag test in
dags/README.md in a real Airflow for that.

Mirrored signatures (checked by hand against apache/airflow sources; update MIRRORS when re-checking):
"""

MIRRORS = {
    "apache-airflow": "3.3 task-sdk: airflow.sdk DAG (definitions/dag.py), Param, task, BaseOperator.__init__ "
    "(bases/operator.py, apache/airflow@003b1714), OperatorPartial/expand validation (mappedoperator.py); "
    "task_group expand/expand_kwargs (definitions/decorators/task_group.py, MappedArgument in _internal/expandinput.py); "
    "CronDataIntervalTimetable/CronTriggerTimetable fields expression, timezone (definitions/timetables/_cron.py, "
    "interval.py, trigger.py @0535ab95), AssetOrTimeSchedule(*, timetable, assets) (timetables/assets.py); "
    "BaseNotifier (bases/notifier.py @2522875e); the airflow.sdk exports (__init__.py lazy imports)",
    "apache-airflow-providers-cncf-kubernetes": "10.x: KubernetesPodOperator.__init__, execute_sync's finally -> "
    "post_complete_action -> cleanup(pod, remote_pod, xcom_result, context) with skip_on_exit_code and the generic "
    "failure (operators/pod.py, apache/airflow@00820978, provider 10.2x line), Secret (secret.py, apache/airflow@2aeffda4)",
}
__version__ = "3.3.0+standin"
