"""Plain building blocks of the jobs DAGs: settings, Params, date-chunk planning, pod settings, the stages' pod
operator, the per-chunk flow and alerts.

``settings``, ``params`` and ``plan`` need nothing but the standard library, so ``python3 -m jobs_pipeline.plan`` prints
what a run would launch (used by the container end-to-end test); ``pods`` adds Kubernetes models; ``operator``,
``flow`` and ``alerts`` import Airflow.
"""
