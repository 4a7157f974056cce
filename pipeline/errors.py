"""Errors that stop a run (exit code 2); bad data is never one of these but a Problems row.

MentorflowError
 ├── ConfigError          the config file or the command line is wrong
 ├── TemplateProblem      a mail template cannot be rendered (in the mail stage: that
 │                        message is logged failed and tried again, the run goes on)
 └── WorkbookError        the workbook cannot be opened, read or written
      ├── WorkbookLayoutError   a required tab or header is missing or ambiguous
      └── WorkbookLockedError   the workbook is open in Excel or LibreOffice, or changed mid-run
"""

from __future__ import annotations


class MentorflowError(Exception):
    """Base of every error mentorflow reports as one line and exit code 2."""

    exit_code = 2


class ConfigError(MentorflowError):
    pass


class TemplateProblem(MentorflowError):
    pass


class WorkbookError(MentorflowError):
    pass


class WorkbookLayoutError(WorkbookError):
    pass


class WorkbookLockedError(WorkbookError):
    pass
