"""Plain, Airflow-free building blocks of the jobs DAGs: settings, Params, date-chunk planning, pod settings.

Only ``pods`` imports Kubernetes models; ``settings``, ``params`` and ``plan`` need nothing but the standard library,
so ``python3 -m jobs_pipeline.plan`` prints what a run would launch (used by the container end-to-end test).
"""
