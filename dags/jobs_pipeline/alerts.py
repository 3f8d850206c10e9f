"""Alerts through Airflow 3's notifier interface: one message per failed task (and per warning), to a webhook
(Slack-compatible JSON ``{"text": ...}``) and/or an SMTP server, each configured by an Airflow connection.

``JobsAlert()`` is the tasks' ``on_failure_callback`` (DAG default_args); StagePodOperator also calls it with
``kind="warning"`` when a stage succeeds with too many dead letters. The message names the DAG, the run, the chunk
(its dates), the stage, the exit code, the pod's termination message and a link to the task's log.

Connections (ids in settings.ALERT_CONNECTIONS, e.g. ``AIRFLOW_CONN_JOBS_ALERTS`` or a secrets backend):
- webhook: conn type ``http``/``https``: ``host`` (a full URL, or a host name with ``schema`` http/https, ``port`` and
  extra ``endpoint``, as Airflow's HttpHook reads them); extra ``headers`` is sent as is.
- SMTP: conn type ``smtp``: ``host``, ``port``, ``login``/``password`` (optional), extra ``to`` (list or comma list),
  ``from_email``, ``starttls`` (default true unless port 25), ``ssl``.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from airflow.sdk import BaseHook, BaseNotifier

from . import settings
from .operator import EXIT_CODES, stage_of

TIMEOUT_S = 10


@dataclass(frozen=True)
class Alert:
    kind: str  # failure | warning
    dag_id: str
    run_id: str
    stage: str
    chunk: str
    exit_code: int | None
    detail: str
    log_url: str

    @property
    def headline(self) -> str:
        what = "quality gate failed" if self.exit_code == 4 else "failed" if self.kind == "failure" else "warning"
        return f"[jobs] {self.stage} {what}: {self.dag_id}" + ("" if self.chunk == "-" else f" {self.chunk}")

    @property
    def text(self) -> str:
        code = "-" if self.exit_code is None else f"{self.exit_code} ({EXIT_CODES.get(self.exit_code, 'unexpected')})"
        lines = [self.headline, f"DAG: {self.dag_id}", f"Run: {self.run_id}", f"Chunk: {self.chunk}",
                 f"Stage: {self.stage}", f"Exit code: {code}", f"Message: {self.detail}", f"Log: {self.log_url}"]  # fmt: skip
        return "\n".join(lines)


def _chunk(arguments: Any) -> str:
    args = list(arguments or [])
    try:
        return f"{args[args.index('--start') + 1]} to {args[args.index('--end') + 1]} (end exclusive)"
    except (ValueError, IndexError):
        return "-"


def _log_url(ti: Any, dag_id: str, run_id: str) -> str:
    url = getattr(ti, "log_url", None)
    if url:
        return str(url)
    task_id, map_index = getattr(ti, "task_id", "?"), getattr(ti, "map_index", -1)
    mapped = f"/mapped/{map_index}" if isinstance(map_index, int) and map_index >= 0 else ""
    return f"{settings.AIRFLOW_URL.rstrip('/')}/dags/{dag_id}/runs/{run_id}/tasks/{task_id}{mapped}"


def alert_of(context: Mapping[str, Any], kind: str = "failure") -> Alert:
    """The alert for the task instance in ``context`` (a failure callback's context has ``exception``)."""
    ti, task = context.get("ti"), context.get("task")
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or getattr(ti, "dag_id", "?")
    run_id = str(context.get("run_id") or getattr(ti, "run_id", "?"))
    error = context.get("exception")
    outcome = getattr(error, "outcome", None)
    if kind == "warning":
        detail = str(context.get("warning", ""))
    elif outcome is not None:
        detail = outcome.message or outcome.reason or str(error)
    else:
        detail = str(error) if error is not None else "no exception in the context"
    task_id = getattr(task, "task_id", None) or getattr(ti, "task_id", "?")
    return Alert(kind=kind, dag_id=dag_id, run_id=run_id, stage=stage_of(task_id),
                 chunk=_chunk(getattr(task, "arguments", None)), exit_code=getattr(outcome, "exit_code", None),
                 detail=detail, log_url=_log_url(ti, dag_id, run_id))  # fmt: skip


def webhook_url(conn: Any) -> str:
    host = conn.host or ""
    if "://" in host:
        base = host.rstrip("/")
    else:
        scheme = conn.schema if conn.schema in ("http", "https") else conn.conn_type
        base = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    endpoint = conn.extra_dejson.get("endpoint", "")
    return base + ("/" + endpoint.lstrip("/") if endpoint else "")


def send_webhook(conn: Any, alert: Alert) -> None:
    headers = {"Content-Type": "application/json"} | dict(conn.extra_dejson.get("headers") or {})
    body = json.dumps({"text": alert.text}).encode()
    request = urllib.request.Request(webhook_url(conn), data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (the URL is the operator's)
        if response.status >= 300:
            raise RuntimeError(f"webhook {conn.conn_id} answered {response.status}")


def send_email(conn: Any, alert: Alert) -> None:
    extra = conn.extra_dejson
    to = extra.get("to") or []
    to = [a.strip() for a in (to.split(",") if isinstance(to, str) else to) if a.strip()]
    if not to:
        raise ValueError(f"connection {conn.conn_id}: extra 'to' names no recipient")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = alert.headline, extra.get("from_email", "airflow@localhost"), ", ".join(to)
    message.set_content(alert.text)
    port = conn.port or (465 if extra.get("ssl") else 25)
    smtp_class = smtplib.SMTP_SSL if extra.get("ssl") else smtplib.SMTP
    with smtp_class(conn.host, port, timeout=TIMEOUT_S) as smtp:
        if not extra.get("ssl") and extra.get("starttls", port != 25):
            smtp.starttls()
        if conn.login:
            smtp.login(conn.login, conn.password or "")
        smtp.send_message(message)


SENDERS = {"http": send_webhook, "https": send_webhook, "smtp": send_email, "email": send_email}


class JobsAlert(BaseNotifier):
    """Sends the task's alert to every configured connection; one that is missing or fails is logged, the others
    still get the message (BaseNotifier logs what ``notify`` raises instead of failing the callback)."""

    def __init__(self, kind: str = "failure", conn_ids: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.conn_ids = settings.ALERT_CONNECTIONS if conn_ids is None else conn_ids

    def notify(self, context: Any) -> None:
        alert = alert_of(context, self.kind)
        problems = []
        for conn_id in self.conn_ids:
            try:
                conn = BaseHook.get_connection(conn_id)
                sender = SENDERS.get(conn.conn_type)
                if sender is None:
                    raise ValueError(f"connection type {conn.conn_type!r} is not a webhook (http/https) or smtp")
                sender(conn, alert)
            except Exception as e:  # one broken channel must not silence the others
                problems.append(f"{conn_id}: {e}")
        if problems:
            raise RuntimeError(f"alert not delivered to {'; '.join(problems)}")
