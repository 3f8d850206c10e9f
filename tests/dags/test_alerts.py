"""The alert notifier (dags/jobs_pipeline/alerts.py) against real receivers on 127.0.0.1: a webhook (http.server) and
an SMTP server (a minimal one, socketserver), configured through Airflow connections in the environment."""

from __future__ import annotations

import json
import socketserver
import threading
from email import message_from_bytes
from types import SimpleNamespace

import pytest
from jobs_pipeline.alerts import JobsAlert, alert_of, webhook_url
from jobs_pipeline.operator import PodOutcome, StageAttemptFailed, StageFailed
from test_runs import Receiver


class SmtpReceiver(socketserver.ThreadingTCPServer):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; keeps each message."""

    daemon_threads = True

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 localhost test SMTP")
                recipients: list[str] = []
                while line := self.rfile.readline():
                    verb = line.decode().strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 localhost")
                    elif verb == "MAIL":
                        recipients = []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with .")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        server.mails.append((recipients, data))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def smtp():
    server = SmtpReceiver()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook():
    server = Receiver()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


CHUNK_ARGS = ["--start", "2024-03-08", "--end", "2024-03-15", "--run-id", "r1"]


def _context(error: Exception | None, task_id: str = "per_chunk.validate", map_index: int = 1, args=CHUNK_ARGS) -> dict:
    ti = SimpleNamespace(task_id=task_id, map_index=map_index, dag_id="jobs_pipeline", run_id="r1")  # no log_url
    task = SimpleNamespace(task_id=task_id, arguments=args)
    return {"dag": SimpleNamespace(dag_id="jobs_pipeline"), "ti": ti, "task": task, "run_id": "r1", "exception": error}


GATE = StageFailed("validate", PodOutcome(4, "Error", "validate exit 4: quality gate: norms off [unit_norm]"))


def test_alert_names_dag_run_chunk_stage_exit_code_message_and_log_link(monkeypatch):
    monkeypatch.setattr("jobs_pipeline.settings.AIRFLOW_URL", "https://airflow.example.org/")
    alert = alert_of(_context(GATE))
    assert alert.headline == "[jobs] validate quality gate failed: jobs_pipeline 2024-03-08 to 2024-03-15 (end exclusive)"
    assert alert.text.splitlines()[1:] == [
        "DAG: jobs_pipeline", "Run: r1", "Chunk: 2024-03-08 to 2024-03-15 (end exclusive)", "Stage: validate",
        "Exit code: 4 (quality gate failed)", "Message: validate exit 4: quality gate: norms off [unit_norm]",
        "Log: https://airflow.example.org/dags/jobs_pipeline/runs/r1/tasks/per_chunk.validate/mapped/1",
    ]  # fmt: skip


def test_a_pod_level_failure_alert_has_the_reason_when_there_is_no_exit_code():
    error = StageAttemptFailed("embed", PodOutcome(None, "Evicted", "The node was low on resource: memory."))
    alert = alert_of(_context(error, "per_chunk.embed"))
    assert "Exit code: -" in alert.text and "Message: The node was low on resource: memory." in alert.text
    plain = alert_of(_context(ValueError("end 2024-01-01 must be after start 2024-02-01"), "plan_chunks", -1, None))
    assert "Stage: plan_chunks" in plain.text and "must be after" in plain.text and "Chunk: -" in plain.text
    assert plain.headline == "[jobs] plan_chunks failed: jobs_pipeline"


def test_email_goes_to_the_smtp_connections_recipients(monkeypatch, smtp):
    conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": smtp.server_address[1],
            "extra": {"to": "oncall@example.org, search@example.org", "from_email": "airflow@example.org", "starttls": False}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW_CONN_JOBS_MAIL", json.dumps(conn))
    JobsAlert(conn_ids=("jobs_mail",))(_context(GATE))
    ((recipients, data),) = smtp.mails
    assert recipients == ["oncall@example.org", "search@example.org"]
    mail = message_from_bytes(data)
    assert mail["Subject"].startswith("[jobs] validate quality gate failed") and mail["From"] == "airflow@example.org"
    assert "Exit code: 4 (quality gate failed)" in mail.get_payload(decode=True).decode()


def test_a_broken_channel_does_not_silence_the_others(monkeypatch, webhook, caplog):
    monkeypatch.setenv("AIRFLOW_CONN_HOOK", json.dumps({"conn_type": "http", "host": f"http://127.0.0.1:{webhook.server_address[1]}"}))
    monkeypatch.setenv("AIRFLOW_CONN_DEAD", json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": 1, "extra": {"to": ["x@y"]}}))
    JobsAlert(conn_ids=("missing", "dead", "hook"))(_context(GATE))  # BaseNotifier logs, never raises
    assert len(webhook.messages) == 1 and "Stage: validate" in webhook.messages[0]["text"]
    assert "missing" in caplog.text and "dead" in caplog.text


@pytest.mark.parametrize(
    ("conn", "url"),
    [
        ({"conn_type": "https", "host": "https://hooks.slack.com/services/T/B/X"}, "https://hooks.slack.com/services/T/B/X"),
        ({"conn_type": "http", "host": "hooks.example.org", "schema": "https", "port": 8443, "extra": '{"endpoint": "/hook"}'},
         "https://hooks.example.org:8443/hook"),
        ({"conn_type": "http", "host": "127.0.0.1", "port": 9000}, "http://127.0.0.1:9000"),
    ],
)  # fmt: skip
def test_webhook_url_reads_the_connection_like_httphook(conn, url):
    from airflow.sdk import Connection

    assert webhook_url(Connection(conn_id="c", **conn)) == url
