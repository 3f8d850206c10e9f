"""Stand-in (not Airflow): the exceptions the stand-in raises, named as Airflow names them."""


class AirflowException(Exception):
    pass


class AirflowConfigException(AirflowException):
    pass


class DuplicateTaskIdFound(AirflowException):
    pass


class ParamValidationError(AirflowException):
    pass


class AirflowSkipException(AirflowException):
    """Raise when the task should be skipped."""


class AirflowFailException(AirflowException):
    """Raise when the task should be failed without retrying."""


class AirflowNotFoundException(AirflowException):
    pass
