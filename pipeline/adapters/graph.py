"""Microsoft Graph: the HTTP client, and where a SharePoint address leads (SPEC §7a).

`Graph` sends every request of the Microsoft 365 adapters (`excel_online`, the workbook;
`GraphMailer`, mail): to MENTORFLOW_GRAPH_ENDPOINT when set, each with a timeout, retried a
bounded number of times on 429, 5xx and lost connections, waiting what `Retry-After`
asks. `batch` sends up to 20 requests as one (Graph's JSON batching), which keeps the
requests of a run few and constant. Errors become one line that says what to do, or what to
ask the Microsoft 365 admin for.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import requests

from pipeline.errors import ConfigError, GraphUnavailable, WorkbookError

GRAPH_ENDPOINT = "https://graph.microsoft.com"
TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds to wait for an answer
ATTEMPTS = 5  # tries per request; without Retry-After the waits are 1, 2, 4 and 8 seconds
LONGEST_WAIT = 60.0  # a Retry-After beyond this is not waited for in full
RETRIED = frozenset({429, 500, 502, 503, 504})
BATCH_LIMIT = 20  # requests per $batch, as Graph allows
#: Bytes of request bodies per $batch: well below the 4 MB a Graph request may carry.
BATCH_BYTES = 2_000_000


@dataclass(frozen=True)
class Call:
    """One Graph request: a path below /v1.0, a JSON body, extra headers."""

    method: str
    path: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str:
        """Graph's error code (the innermost one given), or ''."""
        return self.codes.rsplit(" ", 1)[-1]

    @property
    def codes(self) -> str:
        """Every error code given, outer to inner, for matching."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        found = []
        while isinstance(error, dict):
            if error.get("code"):
                found.append(str(error["code"]))
            error = error.get("innerError") or error.get("innererror")
        return " ".join(found)

    @property
    def message(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str(error.get("message", "")) if isinstance(error, dict) else ""


def passing(answer: Answer) -> bool:
    """A refusal that passes (429, 5xx), worth sending again as it was. Not one that names
    an invalid workbook session: that needs a new session first."""
    return answer.status in RETRIED and "invalidsession" not in answer.codes.lower()


def _chunks(calls: Sequence[Call], indexes: Sequence[int]) -> list[list[int]]:
    """The requests (by index) in $batch-sized groups: at most BATCH_LIMIT requests, and
    bodies of about BATCH_BYTES at most (a larger body goes alone)."""
    groups: list[list[int]] = [[]]
    size = 0
    for index in indexes:
        body = calls[index].body
        weight = len(json.dumps(body, default=str)) if body is not None else 0
        if groups[-1] and (len(groups[-1]) == BATCH_LIMIT or size + weight > BATCH_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(index)
        size += weight
    return [group for group in groups if group]


def _wait(headers: Mapping[str, str], attempt: int) -> float:
    try:
        return min(float(headers.get("Retry-After", headers.get("retry-after", ""))), LONGEST_WAIT)
    except ValueError:
        return float(2 ** (attempt - 1))


class Graph:
    """Microsoft Graph v1.0 for one run: one token, bounded retries, a request count."""

    def __init__(
        self,
        token: Callable[[], str],
        endpoint: str | None = None,
        sleep: Callable[[float], None] | None = None,
        attempts: int = ATTEMPTS,
        what: str = "Microsoft 365",
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        root = endpoint or os.environ.get("MENTORFLOW_GRAPH_ENDPOINT") or GRAPH_ENDPOINT
        self.root = root.strip().rstrip("/").removesuffix("/v1.0") + "/v1.0"
        self.token = token
        self.sleep = sleep or time.sleep
        self.attempts = attempts
        self.what = what
        self.timeout = timeout
        self.count = 0  # HTTP requests sent, retries and each $batch counted once
        self.http = requests.Session()

    def once(self, call: Call) -> Answer:
        """One HTTP request, once. Connection errors and timeouts are raised as they come."""
        self.count += 1
        headers = {"Authorization": f"Bearer {self.token()}", **call.headers}
        data: Any = None
        if isinstance(call.body, (bytes, str)):
            data = call.body
        elif call.body is not None:
            headers.setdefault("Content-Type", "application/json")
        response = self.http.request(
            call.method,
            self.root + call.path,
            json=call.body if data is None and call.body is not None else None,
            data=data,
            headers=headers,
            timeout=self.timeout,
        )
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        return Answer(response.status_code, body, dict(response.headers))

    def call(self, call: Call, retry: bool = True) -> Answer:
        """A request, retried on 429, 5xx and connection errors (when `retry`)."""
        for attempt in range(1, self.attempts + 1):
            try:
                answer = self.once(call)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not retry or attempt == self.attempts:
                    raise GraphUnavailable(
                        f"{self.what} could not be reached after {attempt} "
                        f"{'try' if attempt == 1 else 'tries'} ({type(exc).__name__}); what is "
                        "not written yet waits. The next run tries again."
                    ) from None
                self.sleep(float(2 ** (attempt - 1)))
                continue
            if not passing(answer) or not retry or attempt == self.attempts:
                return answer
            self.sleep(_wait(answer.headers, attempt))
        raise AssertionError("unreachable")

    def batch(self, calls: Sequence[Call], in_order: bool = True) -> list[Answer]:
        """Many requests, 20 to a $batch, each answered; throttled ones sent again.

        `in_order`: each request waits for the one before it (dependsOn: Graph runs a
        batch's requests in any order otherwise), across batches too. A request that failed
        for a passing reason (429, 5xx) is sent again after the longest Retry-After asked,
        with every request of its chain after it (they answered 424). After a request that
        failed for good, the rest of its chain is not carried out (424) and not sent again.
        """
        answers: list[Answer | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        for attempt in range(1, self.attempts + 1):
            retry: list[int] = []
            wait = 0.0
            chunks = _chunks(calls, pending)
            for number, chunk in enumerate(chunks):
                requests_ = []
                for n, index in enumerate(chunk):
                    call = calls[index]
                    request: dict[str, Any] = {
                        "id": str(n + 1),
                        "method": call.method,
                        "url": call.path,
                    }
                    headers = dict(call.headers)
                    if call.body is not None:
                        request["body"] = call.body
                        headers.setdefault("Content-Type", "application/json")
                    if headers:
                        request["headers"] = headers
                    if in_order and n:
                        request["dependsOn"] = [str(n)]
                    requests_.append(request)
                outer = self.call(Call("POST", "/$batch", {"requests": requests_}))
                if not outer.ok:
                    raise self.error(outer, "a batch of requests")
                replies = {str(r.get("id")): r for r in (outer.body or {}).get("responses", [])}
                carried = False  # an earlier request of the chain goes again
                for n, index in enumerate(chunk):
                    reply = replies.get(str(n + 1))
                    if reply is None:
                        continue
                    headers = {str(k): str(v) for k, v in (reply.get("headers") or {}).items()}
                    answer = Answer(int(reply["status"]), reply.get("body"), headers)
                    answers[index] = answer
                    if passing(answer) or (carried and answer.status == 424):
                        retry.append(index)
                        carried = in_order
                        wait = max(wait, _wait(headers, attempt))
                later = [i for chunk_ in chunks[number + 1 :] for i in chunk_]
                if in_order and retry:  # the chains after it wait: order is kept
                    retry += later
                    break
                answered = [answers[i] for i in chunk]
                if in_order and any(a is not None and not a.ok for a in answered):
                    for index in later:  # a chain broken for good: the rest is not sent
                        answers[index] = Answer(424, {"error": {"code": "failedDependency"}})
                    break
            if not retry or attempt == self.attempts:
                break
            pending = retry
            self.sleep(wait)
        done = [a for a in answers if a is not None]
        if len(done) != len(calls):
            raise GraphUnavailable(
                f"{self.what} left requests of a batch unanswered. Nothing more was written; "
                "the next run tries again."
            )
        return done

    def error(self, answer: Answer, doing: str) -> WorkbookError:
        """A failed answer as one line."""
        if answer.status in RETRIED:
            return GraphUnavailable(
                f"{self.what} kept answering {answer.status} to {doing} after {self.attempts} "
                "tries; what is not written yet waits. The next run tries again."
            )
        if answer.status == 401:
            return WorkbookError(
                f"{self.what} refused the app's token (401 {answer.code}). Check [microsoft] "
                "tenant and client_id, and that the app registration has the Microsoft Graph "
                "application permission Sites.Selected with admin consent."
            )
        detail = f"{answer.code}: {answer.message}".strip(": ")
        return WorkbookError(f"{self.what} refused {doing} ({answer.status} {detail}).")


# --- where a SharePoint address leads -----------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A file in a SharePoint document library."""

    site: str  # the site's id
    drive: str
    item: str
    name: str
    url: str  # as the coordinator gave it

    @property
    def path(self) -> str:
        return f"/drives/{quote(self.drive, safe='')}/items/{quote(self.item, safe='')}"


ADMIN_GRANT = (
    "Ask the Microsoft 365 admin to grant the app '{role}' on this site (Sites.Selected: "
    'POST /v1.0/sites/{{site-id}}/permissions, README "Connect your Microsoft 365 '
    'workbook", step A3).'
)


def _share_id(url: str) -> str:
    """Graph's id for a sharing link: u! and the link in unpadded base64url."""
    encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")
    return "u!" + encoded


def split_address(url: str) -> tuple[str, str, str] | None:
    """(host, site path, file path) of a SharePoint file's address, or None for a sharing
    link that names no path (…/:x:/s/Site/Token): Graph's shares API resolves those.

    Accepts the address bar of a file in a library, Teams' "Copy link" (/:x:/r/…), and a
    library view with ?id=/sites/…/file.xlsx.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    path = unquote(parts.path)
    shown = parse_qs(parts.query).get("id", [""])[0]
    if shown.startswith("/"):
        path = shown  # a library view: …/AllItems.aspx?id=/sites/…/file
    if path.startswith("/:"):
        _, _, rest = path[2:].partition("/")
        if not rest.startswith("r/"):
            return None  # /:x:/s/… or /:x:/g/…: a token, not a path
        path = rest[1:]
    if "/_layouts/" in path:
        return None
    segments = [s for s in path.split("/") if s]
    site: list[str] = []
    if len(segments) >= 2 and segments[0].lower() in ("sites", "teams"):
        site, segments = segments[:2], segments[2:]
    if not segments:
        return None
    return parts.netloc, "".join("/" + s for s in site), "/".join(segments)


def locate(graph: Graph, url: str, role: str = "write") -> Item:
    """The file a coordinator's SharePoint address names: by its site, library and path, or
    through the shares API for a sharing link. `role`: what the app needs on the site."""
    where = f"the workbook {url}"
    split = split_address(url)
    if split is None:
        answer = graph.call(
            Call("GET", f"/shares/{_share_id(url)}/driveItem?$select=id,name,parentReference,file")
        )
        if answer.status in (403, 404):
            # Graph's shares API needs more than Sites.Selected on some tenants
            raise WorkbookError(
                f"The link {url} could not be followed ({answer.status} {answer.code}). Give "
                "the file's own address instead: in the document library select the file, "
                "open Details and copy its Path (or Copy link > People with existing access)."
            )
        if not answer.ok:
            raise _access_error(graph, answer, url, "", role)
        reference = answer.body.get("parentReference", {})
        return Item(
            reference.get("siteId", ""),
            reference["driveId"],
            answer.body["id"],
            answer.body.get("name", ""),
            url,
        )
    host, site_path, file_path = split
    site_ref = f"/sites/{host}:{quote(site_path)}" if site_path else f"/sites/{host}"
    site = graph.call(Call("GET", f"{site_ref}?$select=id,webUrl"))
    if not site.ok:
        raise _access_error(graph, site, url, site_path or host, role)
    site_id = site.body["id"]
    drives = graph.call(
        Call("GET", f"/sites/{quote(site_id, safe='')}/drives?$select=id,name,webUrl")
    )
    if not drives.ok:
        raise _access_error(graph, drives, url, site_path or host, role)
    best: tuple[int, str, str] | None = None  # (length of the library's path, drive, rest)
    wanted = "/" + "/".join(s for s in (site_path.strip("/"), file_path) if s)
    for drive in drives.body.get("value", []):
        library = unquote(urlsplit(drive.get("webUrl", "")).path).rstrip("/")
        if wanted.lower().startswith(library.lower() + "/") and (
            best is None or len(library) > best[0]
        ):
            best = (len(library), drive["id"], wanted[len(library) + 1 :])
    if best is None:
        names = ", ".join(d.get("name", "") for d in drives.body.get("value", []))
        raise ConfigError(
            f"{where}: no document library of the site holds this path (the site has: "
            f"{names or 'none'}). Open the file in the browser and copy the address again."
        )
    _, drive_id, rest = best
    item = graph.call(
        Call(
            "GET",
            f"/drives/{quote(drive_id, safe='')}/root:/{quote(rest)}?$select=id,name,file",
        )
    )
    if not item.ok:
        raise _access_error(graph, item, url, site_path or host, role)
    if "file" not in item.body:
        raise ConfigError(f"{where} is a folder, not a file. Give the address of the .xlsx file.")
    return Item(site_id, drive_id, item.body["id"], item.body.get("name", rest), url)


def _access_error(graph: Graph, answer: Answer, url: str, site: str, role: str) -> WorkbookError:
    if answer.status == 403:
        return WorkbookError(
            f"The app may not open the site {site or url} (403 {answer.code}). "
            + ADMIN_GRANT.format(role=role)
        )
    if answer.status == 404:
        return WorkbookError(
            f"No file at {url} (404 {answer.code}). Open the workbook in the browser, copy "
            "the address from the address bar (or Share > Copy link) and put it in "
            "[workbook] sharepoint; check that the app was granted this site."
        )
    return graph.error(answer, f"opening {url}")
