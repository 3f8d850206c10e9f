"""Stand-in (not Airflow): the exceptions the stand-in raises, named as Airflow names them."""


class AirflowException(Exception):
    pass


class AirflowConfigException(AirflowException):
    pass


class DuplicateTaskIdFound(AirflowException):
    pass


class ParamValidationError(AirflowException):
    pass
