"""The exceptions duizhao raises; each names what went wrong in one line."""

from __future__ import annotations


class DuizhaoError(Exception):
    """Base class for every error duizhao raises on purpose."""


class FlowError(DuizhaoError):
    """A flow file is broken; `faults` lists every problem found."""

    def __init__(self, file: str, faults: list[FlowFault]):
        self.file = file
        self.faults = faults
        super().__init__("\n".join(str(f) for f in faults))


class FlowFault:
    """One problem in a flow file: where it is and what is wrong."""

    def __init__(self, file: str, place: str, message: str):
        self.file = file
        self.place = place
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"FlowFault({str(self)!r})"


class UnknownFlow(DuizhaoError):
    """No shipped flow has this id."""


class UnknownInterview(DuizhaoError):
    """No interview with this id belongs to this owner."""


class StorageError(DuizhaoError):
    """The database cannot be opened or written."""


class StaleInterview(DuizhaoError):
    """The interview was saved by someone else since it was read; nothing was written."""


class AnswersFileError(DuizhaoError):
    """An answers file cannot be read or does not fit its flow."""
