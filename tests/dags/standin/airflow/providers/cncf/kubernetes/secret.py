"""STAND-IN, NOT AIRFLOW: ``airflow.providers.cncf.kubernetes.secret.Secret`` (provider 10.x), same checks."""

from __future__ import annotations

from airflow.exceptions import AirflowConfigException


class Secret:
    def __init__(self, deploy_type, deploy_target, secret, key=None, items=None):
        if deploy_type not in ("env", "volume"):
            raise AirflowConfigException("deploy_type must be env or volume")
        self.deploy_type = deploy_type
        self.deploy_target = deploy_target
        self.items = items or []
        if deploy_target is not None and deploy_type == "env":
            self.deploy_target = deploy_target.upper()
        if key is not None and deploy_target is None:
            raise AirflowConfigException("If `key` is set, `deploy_target` should not be None")
        self.secret = secret
        self.key = key

    def __eq__(self, other):
        return (self.deploy_type, self.deploy_target, self.secret, self.key) == (
            other.deploy_type, other.deploy_target, other.secret, other.key,
        )

    def __hash__(self):
        return hash((self.deploy_type, self.deploy_target, self.secret, self.key))

    def __repr__(self):
        return f"Secret({self.deploy_type}, {self.deploy_target}, {self.secret}, {self.key})"
