"""Where a SharePoint address a coordinator copies leads: site, library path, or a share."""

from __future__ import annotations

import pytest

from pipeline.adapters.graph import Call, Graph, _share_id, locate, split_address

HOST = "org.sharepoint.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (  # the browser's address bar in a library
            "https://org.sharepoint.com/sites/Mentoring/Shared Documents/programme.xlsx",
            (HOST, "/sites/Mentoring", "Shared Documents/programme.xlsx"),
        ),
        (  # the same, percent-encoded as the browser copies it
            "https://org.sharepoint.com/sites/Mentoring/Shared%20Documents/Team/programme.xlsx",
            (HOST, "/sites/Mentoring", "Shared Documents/Team/programme.xlsx"),
        ),
        (  # Teams' "Copy link" keeps the path after /:x:/r/
            "https://org.sharepoint.com/:x:/r/sites/Mentoring/Gedeelde%20documenten/"
            "programme.xlsx?d=w0123abcd&csf=1&web=1&e=AbCdEf",
            (HOST, "/sites/Mentoring", "Gedeelde documenten/programme.xlsx"),
        ),
        (  # a library view with the file's path in ?id=
            "https://org.sharepoint.com/teams/Zorg/Shared%20Documents/Forms/AllItems.aspx"
            "?id=%2Fteams%2FZorg%2FShared%20Documents%2Fprogramme.xlsx&parent=%2Fteams",
            (HOST, "/teams/Zorg", "Shared Documents/programme.xlsx"),
        ),
        (  # the root site
            "https://org.sharepoint.com/Shared Documents/programme.xlsx",
            (HOST, "", "Shared Documents/programme.xlsx"),
        ),
    ],
)
def test_an_address_with_a_path_names_site_and_file(
    url: str, expected: tuple[str, str, str]
) -> None:
    assert split_address(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://org.sharepoint.com/:x:/s/Mentoring/EaBcDeFgHiJkLmNoPqRsTuV?e=xyz12",
        "https://org.sharepoint.com/:x:/g/personal/anna/EaBcDeFg?e=1",
        "https://org.sharepoint.com/sites/Mentoring/_layouts/15/Doc.aspx"
        "?sourcedoc=%7B0A1B2C3D%7D&file=programme.xlsx&action=default",
    ],
)
def test_a_sharing_link_without_a_path_goes_to_the_shares_api(url: str) -> None:
    assert split_address(url) is None


def test_a_share_id_is_unpadded_base64url_of_the_link() -> None:
    # Graph's "Encoding sharing URLs": u! + base64url, '=' removed, '/' -> '_', '+' -> '-'
    url = "https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1"
    assert _share_id(url) == (
        "u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMjMxMjQ0MTkzOTEyITEyJmF1dGhLZXk9"
        "MTIwMTkxOSExMjkyMSEx"
    )


def test_a_batch_holds_at_most_20_requests_and_about_2_mb_of_bodies() -> None:
    from pipeline.adapters.graph import BATCH_BYTES, Call, _chunks

    small = [Call("GET", f"/x/{n}") for n in range(45)]
    assert [len(g) for g in _chunks(small, range(45))] == [20, 20, 5]
    big = [Call("PATCH", "/r", {"values": [["x" * (BATCH_BYTES // 3)]]}) for _ in range(5)]
    assert [len(g) for g in _chunks(big, range(5))] == [2, 2, 1]
    huge = [Call("PATCH", "/r", {"values": [["x" * BATCH_BYTES * 2]]})]
    assert _chunks(huge, [0]) == [[0]]  # too large for any batch: it goes alone


def test_a_chain_broken_for_good_in_one_batch_sends_nothing_of_the_next() -> None:
    """25 chained requests (two $batches): the 3rd is refused for good, so the 4th to the 20th
    answer 424 and the 21st to the 25th are never sent (a value must not land on a cell whose
    format was refused)."""
    from tests.graph_double import GraphDouble

    with GraphDouble({"t"}) as double:
        site = double.add_site("org.sharepoint.com", "/sites/M")
        double.grant(site, "write")
        double.add_workbook(site, "p.xlsx", {"S": [["x"]]})
        graph = Graph(lambda: "t", double.url, sleep=lambda _: None)
        item = locate(graph, "https://org.sharepoint.com/sites/M/Shared Documents/p.xlsx")
        sheet = f"{item.path}/workbook/worksheets('S')"
        calls = [
            Call("PATCH", f"{sheet}/range(address='A{n + 1}')", {"values": [[n]]})
            for n in range(25)
        ]
        calls[2] = Call("PATCH", f"{sheet}/range(address='A3')", {"values": [[1, 2]]})  # 400
        answers = graph.batch(calls)
        assert [a.status for a in answers] == [200, 200, 400] + [424] * 22
        assert double.snapshot(site, "p.xlsx")["S"] == [[0], [1]]
        double.refused.clear()
