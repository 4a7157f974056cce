"""Where a SharePoint address a coordinator copies leads: site, library path, or a share."""

from __future__ import annotations

import pytest

from pipeline.adapters.graph import _share_id, split_address

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
