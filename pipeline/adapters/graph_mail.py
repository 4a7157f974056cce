"""Mail through Microsoft Graph's sendMail, from one shared mailbox (`transport = "microsoft"`).

The message mentorflow built goes as it is, in MIME (base64), so its Message-ID, Reply-To
and both the text and HTML parts arrive unchanged. One request per message, never sent
twice by us: Graph answers 202 Accepted when Exchange took the message over. The answer
decides what the Mail log says (see pipeline.adapters.mailer for the three errors):

- 202: sent;
- 429 and 503: not taken (throttled, or the service is down before it took anything):
  MailUnavailable, nothing more tonight, tried again by the next run;
- 400 and other refusals of this message: MailRefused;
- 401, 403, 404: the set-up (token, the app's scope on the mailbox, the mailbox itself):
  MailUnavailable, and `setup_problem` says what to ask the Microsoft 365 admin for (the
  command line ends with it, exit code 2);
- no answer after the request left (a timeout, a dropped connection, 500, 502, 504): it may
  have been sent: MailUncertain ("unknown"), never sent again by itself.
"""

from __future__ import annotations

import base64
from email.message import EmailMessage
from urllib.parse import quote

import requests
import urllib3

from pipeline.adapters.graph import Answer, Call, Graph
from pipeline.errors import MailRefused, MailUnavailable, MailUncertain, MentorflowError

NOT_TAKEN = frozenset({429, 503})


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Whether the connection was refused or not made at all (nothing left)."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class GraphMailer:
    def __init__(self, graph: Graph, mailbox: str) -> None:
        self.graph, self.mailbox = graph, mailbox
        self.setup_problem: str | None = None

    def send(self, message: EmailMessage, key: str) -> None:
        if self.setup_problem:
            raise MailUnavailable(self.setup_problem)
        try:
            self.graph.token()  # a token renewed mid-run: before anything leaves
        except MentorflowError as exc:
            raise MailUnavailable(f"no login to Microsoft 365: {exc}") from None
        call = Call(
            "POST",
            f"/users/{quote(self.mailbox, safe='@')}/sendMail",
            base64.b64encode(message.as_bytes()).decode("ascii"),
            {"Content-Type": "text/plain"},
        )
        try:
            answer = self.graph.once(call)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.ConnectTimeout) or _never_connected(exc):
                raise MailUnavailable(f"Microsoft 365 could not be reached ({exc!s:.80})") from None
            raise MailUncertain("the connection to Microsoft 365 broke while sending") from None
        except requests.Timeout:
            raise MailUncertain("no answer from Microsoft 365 within the timeout") from None
        self._outcome(answer)

    def _outcome(self, answer: Answer) -> None:
        said = f"{answer.status} {answer.code}".strip()
        if answer.status == 202 or answer.ok:
            return
        if answer.status in NOT_TAKEN:
            wait = answer.headers.get("Retry-After")
            raise MailUnavailable(
                f"{said}: Microsoft 365 did not take the message now"
                + (f" (asked to wait {wait} s)" if wait else "")
            )
        if answer.status in (401, 403, 404):
            self.setup_problem = self._setup(answer)
            raise MailUnavailable(self.setup_problem)
        if 400 <= answer.status < 500:
            raise MailRefused(f"{said}: {answer.message}".strip(": "))
        raise MailUncertain(f"{said}: Microsoft 365 answered with an error after taking it")

    def _setup(self, answer: Answer) -> str:
        box = self.mailbox
        if answer.status == 401:
            return (
                f"Microsoft 365 refused the app's token for mail (401 {answer.code}). Ask the "
                'Exchange admin to give the app the role "Application Mail.Send" scoped to '
                f'{box} (RBAC for Applications; README "Connect your Microsoft 365 '
                'workbook", step A4).'
            )
        if answer.status == 404:
            return (
                f"The mailbox {box} is not known to Exchange Online (404 {answer.code}). Check "
                "[mail] mailbox, or ask the Microsoft 365 admin to create that shared mailbox."
            )
        return (
            f"The app may not send as {box} (403 {answer.code}). Ask the Exchange admin to "
            "scope the app to this mailbox (RBAC for Applications: a management scope with "
            'the mailbox and the role "Application Mail.Send"; README "Connect your '
            'Microsoft 365 workbook", step A4).'
        )

    def close(self) -> None:
        pass
