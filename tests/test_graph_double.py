"""The Microsoft Graph double accepts what Graph v1.0 publishes and refuses the rest."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
import requests

from tests.graph_double import GraphDouble, encode_share

HOST = "org.sharepoint.com"
SITE_PATH = "/sites/Mentoring"
BOOK = "Mentoring.xlsx"
TOKEN = "token-for-tests"
SENDER = "mentoring@zorg.example.org"


@pytest.fixture
def graph() -> Iterator[GraphDouble]:
    with GraphDouble(tokens={TOKEN}) as double:
        site = double.add_site(HOST, SITE_PATH)
        double.grant(site, "write")
        double.add_workbook(
            site,
            BOOK,
            {
                "Participants": [
                    ["Email", "Name", "Code"],
                    ["ann@zorg.example.org", "Ann", "00123"],
                ],
                "Match list": [["Match ID", "Notes"]],
                "Empty": [],
            },
            text_cells=[("Participants", "C2"), ("Match list", "B2")],
        )
        double.add_mailbox(SENDER)
        double.add_mailbox("outside@zorg.example.org", scoped=False)
        yield double


def site_id(graph: GraphDouble) -> str:
    return next(iter(graph.sites))


def call(
    graph: GraphDouble,
    method: str,
    path: str,
    *,
    token: str | None = TOKEN,
    timeout: float = 5,
    **kwargs: Any,
) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(
        method, f"{graph.url}/v1.0{path}", headers=headers, timeout=timeout, **kwargs
    )


def workbook(graph: GraphDouble) -> str:
    """The workbook's base path, found the way an adapter finds it."""
    site = call(graph, "GET", f"/sites/{HOST}:{SITE_PATH}?$select=id").json()
    drive = call(graph, "GET", f"/sites/{site['id']}/drive").json()
    item = call(graph, "GET", f"/drives/{drive['id']}/root:/{quote(BOOK)}:").json()
    return f"/drives/{drive['id']}/items/{item['id']}/workbook"


def test_discovery_and_reads_follow_the_published_shapes(graph: GraphDouble) -> None:
    site = call(graph, "GET", f"/sites/{HOST}:{SITE_PATH}:?$select=id,webUrl")
    assert site.status_code == 200
    assert set(site.json()) == {"id", "webUrl"}
    drives = call(graph, "GET", f"/sites/{site.json()['id']}/drives").json()["value"]
    assert [d["name"] for d in drives] == ["Documents"]
    assert drives[0]["webUrl"] == f"https://{HOST}{SITE_PATH}/Shared Documents"
    base = workbook(graph)
    sheets = call(graph, "GET", f"{base}/worksheets?$select=name").json()["value"]
    assert [s["name"] for s in sheets] == ["Participants", "Match list", "Empty"]
    by_name = call(graph, "GET", f"{base}/worksheets('Match%20list')").json()
    by_id = call(graph, "GET", f"{base}/worksheets/{quote(by_name['id'])}").json()
    assert by_name == by_id
    used = call(graph, "GET", f"{base}/worksheets/Participants/usedRange(valuesOnly=true)").json()
    assert used["address"] == "Participants!A1:C2"
    assert used["values"] == [["Email", "Name", "Code"], ["ann@zorg.example.org", "Ann", "00123"]]
    assert used["numberFormat"][1] == ["General", "General", "@"]
    quoted = call(graph, "GET", f"{base}/worksheets/Match%20list/range(address='A1:B1')").json()
    assert quoted["address"] == "'Match list'!A1:B1"
    assert graph.refused == []


def test_no_or_unknown_token_is_401(graph: GraphDouble) -> None:
    for token in (None, "forged"):
        answer = call(graph, "GET", f"/sites/{HOST}:{SITE_PATH}", token=token)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_no_grant_is_403_and_read_grant_refuses_writes(graph: GraphDouble) -> None:
    base = workbook(graph)
    graph.grant(site_id(graph), None)
    answer = call(graph, "GET", f"/sites/{HOST}:{SITE_PATH}")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "accessDenied"
    assert call(graph, "GET", f"{base}/worksheets").status_code == 403
    graph.grant(site_id(graph), "read")
    assert call(graph, "GET", f"{base}/worksheets").status_code == 200
    patch = call(
        graph, "PATCH", f"{base}/worksheets/Empty/range(address='A1')", json={"values": [["x"]]}
    )
    assert patch.status_code == 403
    assert (
        call(graph, "POST", f"{base}/createSession", json={"persistChanges": True}).status_code
        == 403
    )
    assert (
        call(graph, "POST", f"{base}/createSession", json={"persistChanges": False}).status_code
        == 201
    )
    assert graph.snapshot(site_id(graph), BOOK)["Empty"] == []


def test_wrong_dimensions_are_400_and_refused(graph: GraphDouble) -> None:
    base = workbook(graph)
    answer = call(
        graph,
        "PATCH",
        f"{base}/worksheets/Empty/range(address='A1:B2')",
        json={"values": [["a", "b"]]},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidArgument"
    assert len(graph.refused) == 1
    assert graph.snapshot(site_id(graph), BOOK)["Empty"] == []


def test_typed_input_makes_formulas_and_numbers_except_on_text_cells(graph: GraphDouble) -> None:
    base = workbook(graph)
    site = site_id(graph)
    answer = call(
        graph,
        "PATCH",
        f"{base}/worksheets('Match list')/range(address='A2:B2')",
        json={"values": [["=1+1", "=1+1"]]},
    )
    assert answer.status_code == 200
    assert graph.formulas(site, BOOK) == [("Match list", "A2", "=1+1")]  # B2 is "@": text
    assert graph.snapshot(site, BOOK)["Match list"][1] == [0, "=1+1"]
    call(
        graph,
        "PATCH",
        f"{base}/worksheets/Participants/range(address='C2:C3')",
        json={"values": [["00456"], ["00456"]]},
    )
    assert graph.cell(site, BOOK, "Participants", "C2") == "00456"  # "@" keeps the text
    assert graph.cell(site, BOOK, "Participants", "C3") == 456  # General: a number
    # numberFormat "@" sent with the formula in the same PATCH does not protect it (strict).
    call(
        graph,
        "PATCH",
        f"{base}/worksheets/Empty/range(address='A1:A2')",
        json={"values": [["=2"], ["TRUE"]], "numberFormat": [["@"], [None]]},
    )
    assert ("Empty", "A1", "=2") in graph.formulas(site, BOOK)
    assert graph.number_format(site, BOOK, "Empty", "A1") == "@"
    assert graph.cell(site, BOOK, "Empty", "A2") is True
    assert graph.refused == []


def test_null_leaves_a_cell_and_empty_string_clears_it(graph: GraphDouble) -> None:
    base = workbook(graph)
    graph.set_cell(site_id(graph), BOOK, "Participants", "B2", "Typed by a coordinator")
    answer = call(
        graph,
        "PATCH",
        f"{base}/worksheets/Participants/range(address='A2:B2')",
        json={"values": [["", None]]},
    )
    assert answer.status_code == 200
    assert answer.json()["values"] == [["", "Typed by a coordinator"]]
    assert graph.snapshot(site_id(graph), BOOK)["Participants"][1] == [
        "",
        "Typed by a coordinator",
        "00123",
    ]


def test_used_range_of_an_empty_sheet_is_its_top_left_cell(graph: GraphDouble) -> None:
    base = workbook(graph)
    used = call(graph, "GET", f"{base}/worksheets/Empty/usedRange?$select=address,values").json()
    assert used == {"address": "Empty!A1", "values": [[""]]}


def test_more_than_20_batch_requests_are_400(graph: GraphDouble) -> None:
    base = workbook(graph)
    steps = [{"id": str(n), "method": "GET", "url": f"{base}/worksheets"} for n in range(21)]
    assert call(graph, "POST", "/$batch", json={"requests": steps}).status_code == 400
    assert len(graph.refused) == 1
    answer = call(graph, "POST", "/$batch", json={"requests": steps[:20]})
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json()["responses"]} == {200}
    assert len(graph.refused) == 1


def test_batch_body_needs_content_type_and_unique_ids(graph: GraphDouble) -> None:
    base = workbook(graph)
    step = {
        "id": "1",
        "method": "POST",
        "url": f"{base}/createSession",
        "body": {"persistChanges": True},
    }
    assert call(graph, "POST", "/$batch", json={"requests": [step]}).status_code == 400
    twice = [
        {"id": "a", "method": "GET", "url": "/sites/x"},
        {"id": "A", "method": "GET", "url": "/sites/x"},
    ]
    assert call(graph, "POST", "/$batch", json={"requests": twice}).status_code == 400
    assert len(graph.refused) == 2


def test_throttling_answers_429_with_retry_after_also_inside_a_batch(graph: GraphDouble) -> None:
    base = workbook(graph)
    graph.fail(429, retry_after=7, path_contains="/worksheets")
    answer = call(graph, "GET", f"{base}/worksheets")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"
    assert call(graph, "GET", f"{base}/worksheets").status_code == 200
    graph.fail(429, retry_after=3, method="PATCH")
    steps = [
        {
            "id": "1",
            "method": "PATCH",
            "url": f"{base}/worksheets/Empty/range(address='A1')",
            "headers": {"Content-Type": "application/json"},
            "body": {"values": [["x"]]},
        },
        {"id": "2", "method": "GET", "url": f"{base}/worksheets", "dependsOn": ["1"]},
    ]
    batch = call(graph, "POST", "/$batch", json={"requests": steps})
    assert batch.status_code == 200
    first, second = batch.json()["responses"]
    assert (first["status"], first["headers"]["Retry-After"]) == (429, "3")
    assert second["status"] == 424  # json-batching.md: a failed dependency
    assert [r.inner for r in graph.log[-2:]] == [False, True]
    assert graph.refused == []


def test_expired_session_answers_the_documented_code(graph: GraphDouble) -> None:
    base = workbook(graph)
    session = call(graph, "POST", f"{base}/createSession", json={"persistChanges": True}).json()
    headers = {"workbook-session-id": session["id"]}
    assert call(graph, "GET", f"{base}/worksheets", headers=headers).status_code == 200
    graph.expire_sessions()
    answer = call(graph, "GET", f"{base}/worksheets", headers=headers)
    assert answer.status_code == 404
    assert answer.json()["error"]["innerError"]["code"] == "invalidSessionReCreatable"
    assert graph.refused == []


def test_non_persistent_session_changes_are_never_saved(graph: GraphDouble) -> None:
    base = workbook(graph)
    session = call(graph, "POST", f"{base}/createSession", json={"persistChanges": False}).json()
    headers = {"workbook-session-id": session["id"]}
    url = f"{base}/worksheets/Empty/range(address='A1')"
    call(graph, "PATCH", url, headers=headers, json={"values": [["draft"]]})
    assert call(graph, "GET", url, headers=headers).json()["values"] == [["draft"]]
    assert call(graph, "GET", url).json()["values"] == [[""]]
    assert call(graph, "POST", f"{base}/closeSession", headers=headers).status_code == 204
    assert graph.snapshot(site_id(graph), BOOK)["Empty"] == []


def test_a_lost_write_is_answered_200_but_discarded(graph: GraphDouble) -> None:
    base = workbook(graph)
    graph.lose_next_write()
    url = f"{base}/worksheets/Empty/range(address='A1')"
    answer = call(graph, "PATCH", url, json={"values": [["kept?"]]})
    assert answer.status_code == 200
    assert answer.json()["values"] == [["kept?"]]
    assert call(graph, "GET", url).json()["values"] == [[""]]
    call(graph, "PATCH", url, json={"values": [["kept"]]})
    assert graph.snapshot(site_id(graph), BOOK)["Empty"] == [["kept"]]


def mime(to: str | None = "ann@zorg.example.org") -> bytes:
    message = EmailMessage()
    message["From"] = SENDER
    if to:
        message["To"] = to
    message["Subject"] = "Your mentor"
    message.set_content("Hello Ann")
    return base64.b64encode(message.as_bytes())


def test_send_mail_in_mime_is_202_and_recorded(graph: GraphDouble) -> None:
    answer = call(
        graph,
        "POST",
        f"/users/{SENDER}/sendMail",
        data=mime(),
        headers={"Content-Type": "text/plain"},
    )
    assert answer.status_code == 202
    assert answer.content == b""
    [(mailbox, message, raw)] = graph.sent
    assert mailbox == SENDER
    assert message["Subject"] == "Your mentor"
    assert raw == mime() or raw.startswith(b"RnJvbT")
    assert graph.refused == []


def test_send_mail_refuses_bad_mime_and_missing_recipients(graph: GraphDouble) -> None:
    bad = call(
        graph,
        "POST",
        f"/users/{SENDER}/sendMail",
        data=b"not base64!",
        headers={"Content-Type": "text/plain"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "ErrorMimeContentInvalidBase64String"
    nobody = call(
        graph,
        "POST",
        f"/users/{SENDER}/sendMail",
        data=mime(None),
        headers={"Content-Type": "text/plain"},
    )
    assert nobody.status_code == 400
    assert graph.sent == []
    assert len(graph.refused) == 2


def test_unknown_and_out_of_scope_mailboxes(graph: GraphDouble) -> None:
    unknown = call(
        graph,
        "POST",
        "/users/nobody@zorg.example.org/sendMail",
        data=mime(),
        headers={"Content-Type": "text/plain"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "ErrorInvalidUser"
    outside = call(
        graph,
        "POST",
        "/users/outside@zorg.example.org/sendMail",
        data=mime(),
        headers={"Content-Type": "text/plain"},
    )
    assert outside.status_code == 403
    assert outside.json()["error"]["code"] == "ErrorAccessDenied"
    assert graph.sent == []


def test_send_mail_json_form(graph: GraphDouble) -> None:
    body = {
        "message": {
            "subject": "Hi",
            "body": {"contentType": "Text", "content": "Hello"},
            "toRecipients": [{"emailAddress": {"address": "ann@zorg.example.org"}}],
        },
        "saveToSentItems": False,
    }
    assert call(graph, "POST", f"/users/{SENDER}/sendMail", json=body).status_code == 202
    assert graph.sent[0][1]["To"] == "ann@zorg.example.org"


def test_a_hung_request_times_out_but_is_carried_out(graph: GraphDouble) -> None:
    graph.hang(seconds=1.5, path_contains="/sendMail")
    with pytest.raises(requests.exceptions.Timeout):
        call(
            graph,
            "POST",
            f"/users/{SENDER}/sendMail",
            data=mime(),
            headers={"Content-Type": "text/plain"},
            timeout=0.3,
        )
    assert len(graph.sent) == 1


def test_unknown_path_method_and_query_are_refused(graph: GraphDouble) -> None:
    base = workbook(graph)
    assert call(graph, "GET", "/me/drive/recent").status_code == 400
    assert call(graph, "DELETE", f"{base}/worksheets").status_code == 405
    assert call(graph, "GET", f"{base}/worksheets?$top=1").status_code == 400
    assert call(graph, "GET", f"{base}/worksheets?$select=colour").status_code == 400
    beta = requests.get(
        f"{graph.url}/beta/sites/root", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert beta.status_code == 404
    assert len(graph.refused) == 5


def test_worksheet_add_names(graph: GraphDouble) -> None:
    base = workbook(graph)
    added = call(graph, "POST", f"{base}/worksheets/add", json={"name": "Summary"})
    assert (added.status_code, added.json()["position"]) == (200, 3)
    duplicate = call(graph, "POST", f"{base}/worksheets/add", json={"name": "summary"})
    assert duplicate.status_code == 409
    assert call(graph, "POST", f"{base}/worksheets/add", json={"name": "a/b"}).status_code == 400
    assert call(graph, "POST", f"{base}/worksheets/add", json={"name": "x" * 32}).status_code == 400
    assert len(graph.refused) == 2


def test_looks_are_recorded(graph: GraphDouble) -> None:
    base = workbook(graph)
    sheet = f"{base}/worksheets/Participants"
    assert (
        call(
            graph, "PATCH", f"{sheet}/range(address='A1:C1')/format/font", json={"bold": True}
        ).status_code
        == 200
    )
    fmt = {
        "columnWidth": 120,
        "wrapText": True,
        "horizontalAlignment": "Left",
        "verticalAlignment": "Top",
    }
    assert (
        call(graph, "PATCH", f"{sheet}/range(address='A1:C2')/format", json=fmt).status_code == 200
    )
    assert (
        call(graph, "POST", f"{sheet}/range(address='A1:C2')/format/autofitColumns").status_code
        == 204
    )
    # Graph v1.0 publishes no frozen panes (only Office JS has them): refused
    assert (
        call(graph, "POST", f"{sheet}/freezePanes/freezeRows", json={"rowCount": 1}).status_code
        == 400
    )
    assert (
        call(
            graph, "PATCH", f"{sheet}/range(address='A1')/format", json={"wrapText": "yes"}
        ).status_code
        == 400
    )
    looks = graph.looks(site_id(graph), BOOK, "Participants")
    assert looks[0] == {"range": "A1:C1", "font": {"bold": True}}
    assert graph.frozen_rows(site_id(graph), BOOK, "Participants") == 0
    assert len(graph.refused) == 2


def test_sharing_link_resolves_and_content_is_a_real_xlsx(graph: GraphDouble) -> None:
    link = graph.share_link(site_id(graph), BOOK)
    assert link.startswith(f"https://{HOST}/:x:/s/Mentoring/")
    item = call(graph, "GET", f"/shares/{encode_share(link)}/driveItem")
    assert item.status_code == 200
    drive_id = item.json()["parentReference"]["driveId"]
    content = call(graph, "GET", f"/drives/{drive_id}/items/{item.json()['id']}/content")
    book = openpyxl.load_workbook(io.BytesIO(content.content))
    assert book.sheetnames == ["Participants", "Match list", "Empty"]
    assert book["Participants"]["C2"].value == "00123"
    assert graph.refused == []
