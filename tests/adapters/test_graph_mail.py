"""Mail through Graph sendMail, against the local Microsoft Graph double: what each answer
means for the Mail log (sent, failed, unknown) and for the set-up."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from pipeline.adapters.graph import Graph
from pipeline.adapters.graph_mail import GraphMailer
from pipeline.errors import MailRefused, MailUnavailable, MailUncertain
from tests.graph_double import GraphDouble

TOKEN = "mail-test-token"
BOX = "mentorprogramma@zorg.example.org"


@pytest.fixture
def graph() -> Iterator[GraphDouble]:
    with GraphDouble({TOKEN}) as double:
        double.add_mailbox(BOX)
        yield double
    assert [reason for _, reason in double.refused] == []


def mailer(double: GraphDouble, mailbox: str = BOX, timeout: float = 60.0) -> GraphMailer:
    graph = Graph(lambda: TOKEN, double.url, sleep=lambda _: None, timeout=(5.0, timeout))
    return GraphMailer(graph, mailbox)


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Mentorprogramma <{BOX}>"
    mail["To"] = "bo@zorg.example.org"
    mail["Reply-To"] = "coordinator@zorg.example.org"
    mail["Subject"] = "Welkom bij het mentorprogramma"
    mail["Message-ID"] = "<welcome.M-0001@mentorflow>"
    mail.set_content("Hoi Bo,\n\nFijn dat je er bent.")
    mail.add_alternative("<p>Hoi Bo,</p><p>Fijn dat je er bent.</p>", subtype="html")
    return mail


def test_a_message_goes_whole_as_mime_and_202_is_sent(graph: GraphDouble) -> None:
    mailer(graph).send(message(), "M-0001/welcome")
    [(box, arrived, _)] = graph.sent
    assert box.casefold() == BOX
    assert arrived["Message-ID"] == "<welcome.M-0001@mentorflow>"
    assert arrived["Reply-To"] == "coordinator@zorg.example.org"
    assert [p.get_content_type() for p in arrived.walk()][1:] == ["text/plain", "text/html"]


def test_throttled_is_not_sent_and_waits_for_the_next_run(graph: GraphDouble) -> None:
    graph.fail(429, path_contains="sendMail", retry_after=30)
    with pytest.raises(MailUnavailable, match=r"429.*30"):
        mailer(graph).send(message(), "k")
    assert graph.sent == []


def test_no_answer_after_the_request_left_is_unknown_and_never_sent_again(
    graph: GraphDouble,
) -> None:
    graph.hang(seconds=3, path_contains="sendMail")
    sender = mailer(graph, timeout=0.5)
    with pytest.raises(MailUncertain):
        sender.send(message(), "k")
    sendmails = [r for r in graph.log if r.path.endswith("/sendMail")]
    assert len(sendmails) == 1  # tried once: it may have arrived


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_gateway_error_after_taking_the_message_is_unknown(
    graph: GraphDouble, status: int
) -> None:
    graph.fail(status, path_contains="sendMail")
    with pytest.raises(MailUncertain):
        mailer(graph).send(message(), "k")


def test_a_refused_message_fails_alone(graph: GraphDouble) -> None:
    mail = message()
    del mail["To"]
    sender = mailer(graph)
    with pytest.raises(MailRefused, match="400"):
        sender.send(mail, "k")
    assert sender.setup_problem is None
    assert [reason for _, reason in graph.refused] == [
        "400 ErrorInvalidRecipients: At least one recipient isn't valid: none given."
    ]
    graph.refused.clear()  # refused on purpose, as Exchange would
    sender.send(message(), "k2")  # the next one goes
    assert len(graph.sent) == 1


def test_a_mailbox_outside_the_apps_scope_says_what_to_ask_the_exchange_admin(
    graph: GraphDouble,
) -> None:
    graph.add_mailbox("other@zorg.example.org", scoped=False)
    sender = mailer(graph, "other@zorg.example.org")
    with pytest.raises(MailUnavailable) as caught:
        sender.send(message(), "k")
    assert sender.setup_problem == str(caught.value)
    assert "scope the app to this mailbox" in str(caught.value) and "step A4" in str(caught.value)
    with pytest.raises(MailUnavailable):  # the rest of the night is not even tried
        sender.send(message(), "k2")
    assert len([r for r in graph.log if r.path.endswith("/sendMail")]) == 1


def test_an_unknown_mailbox_is_named(graph: GraphDouble) -> None:
    sender = mailer(graph, "nobody@zorg.example.org")
    with pytest.raises(MailUnavailable, match=r"nobody@zorg\.example\.org is not known"):
        sender.send(message(), "k")


def test_a_login_that_fails_mid_run_sends_nothing_and_is_tried_again(
    graph: GraphDouble,
) -> None:
    from pipeline.errors import GraphUnavailable

    def token() -> str:
        raise GraphUnavailable("The Microsoft 365 login could not be reached after 4 tries")

    sender = GraphMailer(Graph(token, graph.url, sleep=lambda _: None), BOX)
    with pytest.raises(MailUnavailable, match="no login to Microsoft 365"):
        sender.send(message(), "k")
    assert graph.log == []
