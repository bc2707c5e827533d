"""The project's error types: each carries a message a user can act on."""


class GanvisError(Exception):
    """Base of every error ganvis reports to a user (never a bare traceback)."""


class ConfigError(GanvisError, ValueError):
    """A run configuration or command-line option is invalid."""


class DataError(GanvisError):
    """A data set file is missing, malformed or unsupported."""


class ModelFileError(GanvisError):
    """A model/run file is missing, malformed, from the future or unsafe."""


class DivergenceError(GanvisError):
    """Training produced NaN or infinite values; the run can roll back to its last good
    state (Run.rollback) and go on, usually with lower learning rates."""

    def __init__(self, message: str, step: int) -> None:
        super().__init__(message)
        self.step = step


class OutOfMemoryError(GanvisError):
    """The device ran out of memory during a step. The run keeps every update that finished
    and can go on with a smaller batch or on another device (Run.rebuild)."""

    def __init__(self, message: str, *, device: str, batch_size: int, step: int) -> None:
        super().__init__(message)
        self.device, self.batch_size, self.step = device, batch_size, step
