"""The stages' pod operator: KubernetesPodOperator that retries only what a retry can fix.

A stage's exit code says whether a retry can help (jobs/Jobs.Contracts FailureKind, jobs/Jobs.Hosting ExitCodes):
1 (or a signal, OOMKilled, eviction, an image that did not pull: anything without one of the codes below) may succeed
on retry; 2 (usage: arguments, configuration, credentials), 3 (input refused) and 4 (quality gate) never do.

Provider 10.x has no setting for "fail without retries on exit code N": ``skip_on_exit_code`` *skips* the task (with
``none_failed`` downstream, load would then run after a failed quality gate), and an AirflowFailException raised from a
pod callback is replaced by the generic AirflowException that ``cleanup()`` raises for a failed pod (it runs in the
``finally`` of execute). So this subclass overrides ``cleanup()``: it lets the provider do its cleanup (events, pod
deletion, the generic failure) and then, from the remote pod's base container ``state.terminated``, raises
AirflowFailException (no retries) for 2/3/4 or a retryable AirflowException for the rest, both carrying the exit code
and the pod's termination message for the alert (jobs_pipeline.alerts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from airflow.exceptions import AirflowException, AirflowFailException, AirflowSkipException
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

from . import plan, settings

EXIT_CODES = {1: "retryable or unexpected", 2: "usage (arguments, configuration, credentials)", 3: "input refused",
              4: "quality gate failed", 137: "killed (OOMKilled or SIGKILL)", 143: "stopped by SIGTERM"}  # fmt: skip
NO_RETRY_EXIT_CODES = frozenset({2, 3, 4})


@dataclass(frozen=True)
class PodOutcome:
    """What the remote pod says about the stage: the base container's exit, else the pod's own reason."""

    exit_code: int | None
    reason: str | None  # "Error", "OOMKilled", "Evicted", "ErrImagePull", ...
    message: str | None  # the termination message (/dev/termination-log), or the pod's status message

    @classmethod
    def of(cls, remote_pod: Any, container: str) -> PodOutcome:
        status = getattr(remote_pod, "status", None)
        base = next((c for c in (getattr(status, "container_statuses", None) or []) if c.name == container), None)
        state = getattr(base, "state", None)
        if state is not None and state.terminated is not None:
            t = state.terminated
            return cls(t.exit_code, t.reason, (t.message or "").strip() or None)
        if state is not None and state.waiting is not None:
            return cls(None, state.waiting.reason, state.waiting.message)
        return cls(None, getattr(status, "reason", None), getattr(status, "message", None))

    def describe(self) -> str:
        code = f"exit {self.exit_code} ({EXIT_CODES.get(self.exit_code, 'unexpected')})" if self.exit_code is not None \
            else "no exit code"  # fmt: skip
        return ", ".join(filter(None, [code, self.reason, self.message]))


class StageFailed(AirflowFailException):
    """Exit 2/3/4: the task fails at once, without retries."""

    def __init__(self, stage: str, outcome: PodOutcome) -> None:
        super().__init__(f"{stage} failed, not retried: {outcome.describe()}")
        self.stage, self.outcome = stage, outcome


class StageAttemptFailed(AirflowException):
    """Exit 1, a signal, or a pod-level failure: retried with exponential backoff until the retries are spent."""

    def __init__(self, stage: str, outcome: PodOutcome) -> None:
        super().__init__(f"{stage} attempt failed, retryable: {outcome.describe()}")
        self.stage, self.outcome = stage, outcome


def stage_of(task_id: str) -> str:
    """``per_chunk.embed`` -> ``embed``."""
    return task_id.rsplit(".", 1)[-1]


def dead_letter_share(message: str | None) -> tuple[float, int, int] | None:
    """(share, dead-lettered, chunks) from a successful stage's termination message ``... {"chunks": N,
    "dead_lettered": M, ...}`` (its counts as JSON); None when the message carries no such counts."""
    if not message or "{" not in message:
        return None
    try:
        counts = json.loads(message[message.index("{"):])
    except ValueError:
        return None
    dead = counts.get("dead_lettered", counts.get("dead_letters")) if isinstance(counts, dict) else None
    total = counts.get("chunks") if isinstance(counts, dict) else None
    if not isinstance(dead, int) or not isinstance(total, int) or total <= 0:
        return None
    return dead / total, dead, total


class StagePodOperator(KubernetesPodOperator):
    """A stage's pod: skipped when the run did not select the stage (no arguments), failed without retries on exit
    2/3/4, retried otherwise; a success with too many dead letters sends a warning alert."""

    def execute(self, context: Any) -> Any:
        if not self.arguments:
            # Never start a pod without arguments: the image's CLI would print its usage and exit 2.
            raise AirflowSkipException(f"{stage_of(self.task_id)} is not selected for this run")
        return super().execute(context)

    def build_pod_request_obj(self, context: Any = None) -> k8s.V1Pod:
        """The provider's pod, plus the run's own settings (e.g. embed's JOBS_MODEL__PROVIDER from the Param
        embedding_provider) as env of the base container: a container's env wins over the ConfigMap's envFrom."""
        pod = super().build_pod_request_obj(context)
        extra = plan.run_settings(stage_of(self.task_id), context.get("params") or {}) if context is not None else []
        if extra:
            base = next(c for c in pod.spec.containers if c.name == self.base_container_name)
            overridden = {name for name, _ in extra}
            kept = [e for e in base.env or [] if e.name not in overridden]
            base.env = kept + [k8s.V1EnvVar(name=name, value=value) for name, value in extra]
        return pod

    def cleanup(self, pod: Any, remote_pod: Any, xcom_result: dict | None = None, context: Any = None) -> None:
        try:
            super().cleanup(pod=pod, remote_pod=remote_pod, xcom_result=xcom_result, context=context)
        except AirflowSkipException:
            raise
        except AirflowException as error:
            outcome = PodOutcome.of(remote_pod, self.base_container_name)
            failure = StageFailed if outcome.exit_code in NO_RETRY_EXIT_CODES else StageAttemptFailed
            raise failure(stage_of(self.task_id), outcome) from error
        if remote_pod is not None and context is not None:
            self._warn_on_dead_letters(PodOutcome.of(remote_pod, self.base_container_name), context)

    def _warn_on_dead_letters(self, outcome: PodOutcome, context: Any) -> None:
        share = dead_letter_share(outcome.message)
        if share is not None and share[0] > settings.DEAD_LETTER_WARN_SHARE:
            from .alerts import JobsAlert  # the notifier needs only the task's context

            text = (f"{share[1]} of {share[2]} chunks dead-lettered ({share[0]:.1%}, warning above "
                    f"{settings.DEAD_LETTER_WARN_SHARE:.1%}): replay them with the jobs_replay DAG")  # fmt: skip
            JobsAlert(kind="warning")(dict(context) | {"warning": text})
