"""Every exception mentorflow raises, in one tree.

MentorflowError                 stops a run: one line and exit code 2 (unless caught below)
 ├── ConfigError                the config file or the command line is wrong
 ├── RunBusyError               another run holds the workbook's lock
 ├── PreviewError               a preview that cannot be made (unknown match or touchpoint)
 ├── SolverError                matching could not prove its result optimal (a bug)
 ├── TemplateProblem            a mail template cannot be rendered; in the mail stage that
 │                              message is logged failed and tried again, the run goes on
 ├── WorkbookError              the workbook cannot be opened, read or written
 │    ├── WorkbookLayoutError   a required tab or header is missing or ambiguous
 │    ├── WorkbookLockedError   the workbook is open in Excel or LibreOffice, or changed mid-run
 │    ├── SheetsUnavailable     Google Sheets did not answer within the retries
 │    └── GraphUnavailable      Microsoft 365 (Graph, or its login) did not answer in time
 ├── MailError                  a message not (certainly) delivered; never stops a run: the
 │    │                         mail stage logs it, str() is the Mail log's detail
 │    ├── MailRefused           refused for good (5xx): not tried again
 │    ├── MailUnavailable       not handed over for a passing reason: tried again
 │    └── MailUncertain         may have been delivered (the answer was lost): unknown
 └── CellError                  a cell that cannot be read as its column needs; never stops
                                a run: it becomes a Problems row (`code` names the message)
"""

from __future__ import annotations

from typing import Any


class MentorflowError(Exception):
    """Base of every error mentorflow reports as one line and exit code 2."""

    exit_code = 2


class ConfigError(MentorflowError):
    pass


class RunBusyError(MentorflowError):
    """Another run holds the workbook's lock: this one does nothing (exit code 2)."""


class PreviewError(MentorflowError):
    """A preview that cannot be made (unknown match or touchpoint): one line, exit 2."""


class SolverError(MentorflowError):
    """The solver could not prove its result optimal (a bug, never bad data)."""


class TemplateProblem(MentorflowError):
    pass


class WorkbookError(MentorflowError):
    pass


class WorkbookLayoutError(WorkbookError):
    pass


class WorkbookLockedError(WorkbookError):
    pass


class SheetsUnavailable(WorkbookError):
    """Google Sheets did not answer within the retries."""


class GraphUnavailable(WorkbookError):
    """Microsoft 365 (Graph or its login endpoint) did not answer within the retries."""


class MailError(MentorflowError):
    """A message that was not (certainly) delivered; str() is the detail for the Mail log."""


class MailRefused(MailError):
    pass


class MailUnavailable(MailError):
    pass


class MailUncertain(MailError):
    pass


class CellError(MentorflowError, ValueError):
    """A cell that cannot be read as what its column needs; `code` names the message."""

    def __init__(self, code: str, value: Any, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.value = value
        self.params = params
