"""Google's published Sheets API v4 as a judge of requests: what Google refuses, refused here.

Everything is read from the discovery document that google-api-python-client ships
(googleapiclient/discovery_cache/documents/sheets.v4.json), never from what mentorflow sends:

- the method: its path and HTTP verb (else 404);
- query parameters: known to the method or the API, their types and enum values;
- the body, against the method's request schema: `$ref`s, object properties (an unknown
  name is refused as Google refuses it), the JSON types string, boolean, integer, number,
  array and object, enum values, and exactly one kind per batchUpdate `Request`;
- field masks (`fields` of repeatCell, updateSheetProperties, updateCells, ...): every path
  names a real field below the root the schema's description says is implied;
- the grid, given the sheets' sizes: A1 ranges of values get, batchGet, update, batchUpdate,
  append and clear, and every GridRange and GridCoordinate of a batchUpdate, checked against
  the grid as it is when that request of the batch runs (earlier requests may grow it).

`check(call, grids)` answers the problems as Google words them; none means Google takes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote

Json = Any
Schema = Mapping[str, Any]


@cache
def document() -> Mapping[str, Any]:
    """The discovery document of the Sheets API v4 shipped with google-api-python-client."""
    found = resources.files("googleapiclient").joinpath(
        "discovery_cache", "documents", "sheets.v4.json"
    )
    loaded: Mapping[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True)
class Call:
    """One HTTP request as a server receives it: path still percent-encoded, body parsed."""

    method: str
    path: str
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    body: Json = None


@dataclass(frozen=True)
class Grid:
    """A sheet's size, as the API knows it when a request arrives."""

    sheet_id: int
    title: str
    rows: int
    columns: int


@dataclass(frozen=True)
class Method:
    id: str
    http: str
    pattern: re.Pattern[str]
    parameters: Mapping[str, Schema]
    request: str | None  # the schema of the body


class Refused(Exception):
    """What Google answers instead of doing the request."""

    def __init__(self, code: int, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.code = code
        self.problems = list(problems)


def _methods(resource: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from resource.get("methods", {}).values()
    for child in resource.get("resources", {}).values():
        yield from _methods(child)


@cache
def methods() -> tuple[Method, ...]:
    found = []
    for spec in _methods(document()):
        path = spec.get("flatPath") or spec["path"]
        regex = "".join(
            f"(?P<{part[1:-1].lstrip('+')}>[^/]+?)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", path)
        )
        request = spec.get("request", {}).get("$ref")
        found.append(
            Method(
                spec["id"],
                spec["httpMethod"],
                re.compile("/" + regex),
                spec.get("parameters", {}),
                request,
            )
        )
    return tuple(found)


def method(http: str, path: str) -> tuple[Method, dict[str, str]]:
    """The method a request names, and its path parameters (decoded)."""
    for candidate in methods():
        matched = candidate.pattern.fullmatch(path)
        if matched and candidate.http == http.upper():
            return candidate, {k: unquote(v) for k, v in matched.groupdict().items()}
    raise Refused(404, [f"Method not found: {http.upper()} {path}"])


def check(call: Call, grids: Sequence[Grid] | None = None) -> list[str]:
    """The problems Google would answer 400 for; [] when Google takes the request.

    Without `grids` the grid is not checked. A path that names no method raises Refused(404).
    """
    found, params = method(call.method, call.path)
    problems = _query(found, call.query)
    if found.request is not None:
        problems += Schemas().value(call.body if call.body is not None else {}, found.request)
    if problems or grids is None:
        return problems
    sheets = list(grids)
    ranges: list[str] = []
    if "range" in params:
        ranges.append(params["range"])
    ranges += call.query.get("ranges", [])
    if found.id == "sheets.spreadsheets.values.batchClear":
        ranges += call.body.get("ranges", [])
    for a1 in ranges:
        problems += a1_problems(a1, sheets)
    if found.id in ("sheets.spreadsheets.values.update", "sheets.spreadsheets.values.batchUpdate"):
        data = [call.body] if found.id.endswith(".update") else call.body.get("data", [])
        for value_range in data:
            if value_range.get("range"):
                problems += a1_problems(value_range["range"], sheets)
            problems += _written(value_range, params.get("range"), sheets)
    if found.id == "sheets.spreadsheets.batchUpdate":
        problems += _batch(call.body.get("requests", []), sheets)
    return list(dict.fromkeys(problems))  # a range named twice is one problem


def deprecated(call: Call) -> list[str]:
    """Where the body of a request uses what the document marks deprecated (Google takes it,
    for now: a field the API may stop honouring)."""
    found, _ = method(call.method, call.path)
    if found.request is None:
        return []
    walk = Schemas()
    walk.value(call.body if call.body is not None else {}, found.request)
    return walk.deprecated


# -- query parameters ------------------------------------------------------------------------


def _query(found: Method, query: Mapping[str, Sequence[str]]) -> list[str]:
    known = {**document()["parameters"], **found.parameters}
    problems = []
    for name, values in query.items():
        spec = known.get(name)
        if spec is None or spec.get("location") != "query":
            problems.append(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message."
            )
            continue
        if len(values) > 1 and not spec.get("repeated"):
            problems.append(f"Invalid JSON payload received. Repeated values for '{name}'.")
        for value in values:
            if not _scalar_text_fits(value, spec):
                problems.append(f"Invalid value at '{_snake(name)}' ({_kind(spec)}), \"{value}\"")
    return problems


def _scalar_text_fits(text: str, spec: Schema) -> bool:
    kind = spec.get("type")
    if "enum" in spec:
        return text in spec["enum"]
    if kind == "boolean":
        return text in ("true", "false")
    if kind == "integer":
        return re.fullmatch(r"-?\d+", text) is not None
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return False
    return True


# -- bodies ----------------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _kind(spec: Schema) -> str:
    if "$ref" in spec:
        return f"type.googleapis.com/google.apps.sheets.v4.{spec['$ref']}"
    if "enum" in spec:
        return "TYPE_ENUM"
    kinds = {
        "boolean": "TYPE_BOOL",
        "string": "TYPE_STRING",
        "integer": "TYPE_INT32" if spec.get("format", "int32") == "int32" else "TYPE_INT64",
        "number": "TYPE_DOUBLE" if spec.get("format") != "float" else "TYPE_FLOAT",
        "array": "type.googleapis.com/google.protobuf.ListValue",
        "object": "type.googleapis.com/google.protobuf.Struct",
    }
    return kinds.get(spec.get("type", ""), "TYPE_MESSAGE")


def _where(path: Sequence[str], snake: bool = True) -> str:
    """Where in the body, as Google says it: 'requests[0].repeat_cell' in payload errors."""
    names = (p if p.startswith("[") else f".{_snake(p) if snake else p}" for p in path)
    return "".join(names).lstrip(".")


_INT32 = (-(2**31), 2**31 - 1)


class Schemas:
    """A value checked against a schema of the document, every problem collected."""

    def __init__(self) -> None:
        self.schemas: Mapping[str, Schema] = document()["schemas"]
        self.problems: list[str] = []
        # (path, schema id, value) of every object met whose schema has an id: where the
        # grid ranges and field masks are
        self.objects: list[tuple[tuple[str, ...], str, Mapping[str, Any]]] = []
        self.deprecated: list[str] = []  # where a field the document calls deprecated is used

    def value(self, value: Json, ref: str) -> list[str]:
        self._check(value, {"$ref": ref}, ())
        return self.problems

    def _bad(self, path: Sequence[str], spec: Schema, value: Json) -> None:
        self.problems.append(
            f"Invalid value at '{_where(path)}' ({_kind(spec)}), {json.dumps(value)}"
        )

    def _check(self, value: Json, spec: Schema, path: tuple[str, ...]) -> None:
        if value is None:
            return  # null: the field is left unset, as proto3 JSON has it
        if "$ref" in spec:
            self._object(value, spec["$ref"], self.schemas[spec["$ref"]], path)
            return
        kind = spec.get("type")
        if kind == "any":
            return
        if kind == "object":
            if not isinstance(value, dict):
                self._bad(path, spec, value)
                return
            if "additionalProperties" in spec:
                for key, item in value.items():
                    self._check(item, spec["additionalProperties"], (*path, key))
                return
            self._object(value, None, spec, path)
            return
        if kind == "array":
            if not isinstance(value, list):
                self._bad(path, spec, value)
                return
            for index, item in enumerate(value):
                if item is None and "$ref" in spec.get("items", {}):
                    self._bad((*path, f"[{index}]"), spec["items"], item)
                    continue
                self._check(item, spec.get("items", {}), (*path, f"[{index}]"))
            return
        if not _fits(value, spec):
            self._bad(path, spec, value)
        elif value in _deprecated_values(spec):
            self.deprecated.append(f"{_where(path, snake=False)}: {value}")

    def _object(self, value: Json, name: str | None, schema: Schema, path: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            self._bad(path, {"$ref": name} if name else schema, value)
            return
        if name is not None:
            self.objects.append((path, name, value))
        properties: Mapping[str, Schema] = schema.get("properties", {})
        for key, item in value.items():
            if key not in properties:
                at = f" at '{_where(path)}'" if path else ""
                self.problems.append(
                    f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.'
                )
                continue
            if properties[key].get("deprecated"):
                self.deprecated.append(_where((*path, key), snake=False))
            self._check(item, properties[key], (*path, key))
        if name == "Request":
            # "A single kind of update to apply to a spreadsheet": its fields are a oneof
            kinds = [k for k in value if k in properties and value[k] is not None]
            if not kinds:
                self.problems.append(f"Invalid {_where(path)}: No request set.")
            for extra in kinds[1:]:
                self.problems.append(
                    f"Invalid JSON payload received. Oneof field 'kind' is already set. "
                    f"Cannot set '{extra}'"
                )
        mask = value.get("fields")
        if properties.get("fields", {}).get("format") == "google-fieldmask" and isinstance(
            mask, str
        ):
            self.problems += mask_problems(name or "", mask, path)
            self.deprecated += [
                f"{_where(path, snake=False)}.fields: {dotted}"
                for dotted, deprecated in mask_fields(name or "", mask) or []
                if deprecated
            ]


def _deprecated_values(spec: Schema) -> list[str]:
    flags = spec.get("enumDeprecated", [])
    return [value for value, flag in zip(spec.get("enum", []), flags, strict=False) if flag]


def _fits(value: Json, spec: Schema) -> bool:
    """A JSON scalar where the schema wants `spec` (proto3 JSON: numbers may come quoted)."""
    kind = spec.get("type")
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        if not isinstance(value, str):
            return False
        return value in spec["enum"] if "enum" in spec else True
    if isinstance(value, bool):
        return False
    if kind == "integer":
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            return False
        low, high = _INT32 if spec.get("format") == "int32" else (0, 2**32 - 1)
        return spec.get("format") not in ("int32", "uint32") or low <= value <= high
    if kind == "number":
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                return False
            return True
        return isinstance(value, int | float)
    return False


# -- field masks -----------------------------------------------------------------------------


def _mask_paths(mask: str) -> list[str] | None:
    """'a(b,c.d),e' as ['a.b', 'a.c.d', 'e']; None when it does not parse (a space included)."""
    tokens = re.findall(r"[A-Za-z0-9_*]+(?:\.[A-Za-z0-9_*]+)*|[(),]|.", mask)
    position = 0

    def items(prefix: str) -> list[str] | None:
        nonlocal position
        found: list[str] = []
        while True:
            if position >= len(tokens) or tokens[position] in "(),":
                return None
            name = prefix + tokens[position]
            position += 1
            if position < len(tokens) and tokens[position] == "(":
                position += 1
                inner = items(name + ".")
                if inner is None or position >= len(tokens) or tokens[position] != ")":
                    return None
                position += 1
                found += inner
            else:
                found.append(name)
            if position < len(tokens) and tokens[position] == ",":
                position += 1
                continue
            return found

    paths = items("")
    if paths is None or position != len(tokens) or any(" " in p or not p for p in paths):
        return None
    return paths


def _mask_root(request: str) -> Schema | None:
    """The schema the request's field mask starts from, as its description words it."""
    schemas: Mapping[str, Schema] = document()["schemas"]
    spec = schemas[request]
    said = spec["properties"]["fields"].get("description", "")
    named = re.search(r"The root [`'\"]?([\w.]+)[`'\"]? is implied", said)
    if named is None:
        named = re.search(r"The root is the (\w+)", said)
    if named is None:
        return None
    root = named[1]
    if root in schemas:
        return schemas[root]
    current: Schema = spec
    for part in root.split("."):
        prop = current.get("properties", {}).get(part)
        if prop is None or "$ref" not in prop:
            return None
        current = schemas[prop["$ref"]]
    return current


def mask_fields(request: str, mask: str) -> list[tuple[str, bool | None]] | None:
    """Each path of the field mask of a `request` (e.g. RepeatCellRequest): (path, whether a
    deprecated field is on it), or (path, None) when it names no field; None: no mask at all.
    """
    paths = _mask_paths(mask)
    if not paths:
        return None
    root = _mask_root(request)
    if root is None or paths == ["*"]:
        return [(p, False) for p in paths]
    schemas: Mapping[str, Schema] = document()["schemas"]
    found: list[tuple[str, bool | None]] = []
    for dotted in paths:
        current: Schema = root
        parts = dotted.split(".")
        deprecated: bool | None = False
        for depth, part in enumerate(parts):
            prop = current.get("properties", {}).get(part)
            if prop is None or ("$ref" not in prop and depth < len(parts) - 1):
                deprecated = None  # no such field, or a scalar, list or map mid-path
                break
            deprecated = deprecated or bool(prop.get("deprecated"))
            if "$ref" in prop:
                current = schemas[prop["$ref"]]
        found.append((dotted, deprecated))
    return found


def mask_problems(request: str, mask: str, path: Sequence[str] = ()) -> list[str]:
    """Problems of the field mask `mask` of a `request` (e.g. RepeatCellRequest)."""
    where = _where(path, snake=False) or request
    found = mask_fields(request, mask)
    if found is None:
        return [f"Invalid {where}: invalid field mask '{mask}'. At least one field must be set."]
    return [
        f"Invalid {where}: Cannot find field '{dotted}' of the field mask '{mask}'."
        for dotted, deprecated in found
        if deprecated is None
    ]


# -- the grid --------------------------------------------------------------------------------

_CELLS = re.compile(r"([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?")


def _column(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def _split(a1: str) -> tuple[str | None, str]:
    """('Tab', 'A1:C3') from "'Tab'!A1:C3" (a quoted name may hold '' and !)."""
    if a1.startswith("'"):
        end = 1
        while True:
            end = a1.find("'", end)
            if end < 0:
                return a1, ""
            if a1[end : end + 2] == "''":
                end += 2
                continue
            break
        rest = a1[end + 1 :]
        return a1[1:end].replace("''", "'"), rest[1:] if rest.startswith("!") else rest
    if "!" in a1:
        tab, _, cells = a1.partition("!")
        return tab, cells
    return None, a1


@dataclass(frozen=True)
class Area:
    """Cells of an A1 range, counted from 0; None: open-ended."""

    grid: Grid
    first_row: int
    first_column: int
    last_row: int | None
    last_column: int | None

    @property
    def label(self) -> str:
        return _quoted(self.grid.title)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def area(a1: str, grids: Sequence[Grid]) -> Area:
    """Where an A1 range points, or Refused(400) 'Unable to parse range'."""
    tab, cells = _split(a1)
    if tab is None and any(g.title == cells for g in grids):
        tab, cells = cells, ""
    grid = next((g for g in grids if g.title == tab), None) if tab is not None else None
    if tab is None and grids:
        grid = grids[0]
    matched = _CELLS.fullmatch(cells)
    if grid is None or matched is None or (cells and not any(matched.groups(""))):
        raise Refused(400, [f"Unable to parse range: {a1}"])
    start_col, start_row, end_col, end_row = matched.groups("")
    if matched[3] is None:  # a single cell
        end_col, end_row = start_col, start_row
    return Area(
        grid,
        int(start_row) - 1 if start_row else 0,
        _column(start_col) - 1 if start_col else 0,
        int(end_row) - 1 if end_row else None,
        _column(end_col) - 1 if end_col else None,
    )


def _exceeds(a1: str, grid: Grid) -> str:
    return f"Range ({a1}) exceeds grid limits. Max rows: {grid.rows}, max columns: {grid.columns}"


def _a1_label(a1: str, found: Area) -> str:
    return f"{found.label}!{_split(a1)[1]}" if _split(a1)[1] else found.label


def a1_problems(a1: str, grids: Sequence[Grid]) -> list[str]:
    """An A1 range that reaches past its sheet's grid, worded as Google words it."""
    try:
        found = area(a1, grids)
    except Refused as refused:
        return refused.problems
    grid = found.grid
    rows = [found.first_row, found.last_row or 0]
    columns = [found.first_column, found.last_column or 0]
    if max(rows) >= grid.rows or max(columns) >= grid.columns:
        return [_exceeds(_a1_label(a1, found), grid)]
    return []


def _written(
    value_range: Mapping[str, Any], range_: str | None, grids: Sequence[Grid]
) -> list[str]:
    """Values of a ValueRange that would land past the grid or past the range they name."""
    a1 = value_range.get("range") or range_ or ""
    try:
        found = area(a1, grids)
    except Refused as refused:
        return refused.problems
    values = value_range.get("values") or []
    height, width = len(values), max((len(v) for v in values), default=0)
    if value_range.get("majorDimension") == "COLUMNS":
        height, width = width, height
    if not height or not width:
        return []
    last_row = found.first_row + height - 1
    last_column = found.first_column + width - 1
    if ":" not in _split(a1)[1]:  # one cell: where the values start, however many they are
        found = replace(found, last_row=None, last_column=None)
    if found.last_row is not None and last_row > found.last_row:
        return [f"Requested writing within range [{a1}], but tried writing to row [{last_row + 1}]"]
    if found.last_column is not None and last_column > found.last_column:
        return [
            f"Requested writing within range [{a1}], but tried writing to column "
            f"[{_letters(last_column)}]"
        ]
    if last_row >= found.grid.rows or last_column >= found.grid.columns:
        return [_exceeds(_a1_label(a1, found), found.grid)]
    return []


def _letters(index: int) -> str:
    # Deliberately not pipeline.core.cells.column_letter: the validator shares no code with what it
    # checks, so a mistake there cannot hide itself here.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _batch(requests: Sequence[Mapping[str, Any]], grids: list[Grid]) -> list[str]:
    """Every GridRange and GridCoordinate, against the grid as each request finds it."""
    problems: list[str] = []
    for index, request in enumerate(requests):
        walk = Schemas()
        walk.value(request, "Request")
        kind = next(iter(request), "")
        for _, schema, value in walk.objects:
            if schema in ("GridRange", "GridCoordinate"):
                problems += _on_grid(f"requests[{index}].{kind}", schema, value, grids)
        grids[:] = _grown(request, grids)
    return problems


def _on_grid(where: str, schema: str, value: Mapping[str, Any], grids: Sequence[Grid]) -> list[str]:
    sheet_id = value.get("sheetId", 0)
    grid = next((g for g in grids if g.sheet_id == sheet_id), None)
    if grid is None:
        return [f"Invalid {where}: No grid with id: {sheet_id}"]
    if schema == "GridCoordinate":
        row, column = value.get("rowIndex", 0), value.get("columnIndex", 0)
        if not (0 <= row < grid.rows and 0 <= column < grid.columns):
            cell = f"{_quoted(grid.title)}!{_letters(column)}{row + 1}"
            return [f"Invalid {where}: {_exceeds(cell, grid)}"]
        return []
    r0, r1 = value.get("startRowIndex", 0), value.get("endRowIndex", grid.rows)
    c0, c1 = value.get("startColumnIndex", 0), value.get("endColumnIndex", grid.columns)
    if min(r0, r1, c0, c1) < 0 or r0 > r1 or c0 > c1:
        return [f"Invalid {where}: the start index must be less than or equal to the end index"]
    if r1 > grid.rows or c1 > grid.columns:
        cells = f"{_quoted(grid.title)}!{_letters(c0)}{r0 + 1}:{_letters(max(c1, 1) - 1)}{r1}"
        return [f"Invalid {where}: {_exceeds(cells, grid)}"]
    return []


def _grown(request: Mapping[str, Any], grids: Sequence[Grid]) -> list[Grid]:
    """The grids after one request of a batch (the requests that change a grid's size)."""
    kind = next(iter(request), "")
    spec: Mapping[str, Any] = request.get(kind) or {}
    result = list(grids)
    if kind == "addSheet":
        props = spec.get("properties", {})
        size = props.get("gridProperties", {})
        sheet_id = props.get("sheetId", max((g.sheet_id for g in grids), default=0) + 1)
        title = props.get("title", f"Sheet{len(grids) + 1}")
        result.append(
            Grid(sheet_id, title, size.get("rowCount", 1000), size.get("columnCount", 26))
        )
    elif kind == "deleteSheet":
        result = [g for g in result if g.sheet_id != spec.get("sheetId")]
    elif kind in ("appendDimension", "insertDimension", "deleteDimension"):
        target = spec if kind == "appendDimension" else spec.get("range", {})
        if kind == "appendDimension":
            length = spec.get("length", 0)
        else:
            length = spec.get("endIndex", 0) - spec.get("startIndex", 0)
            length = -length if kind == "deleteDimension" else length
        rows = target.get("dimension") == "ROWS"
        result = [
            g
            if g.sheet_id != target.get("sheetId", 0)
            else replace(g, rows=g.rows + length)
            if rows
            else replace(g, columns=g.columns + length)
            for g in result
        ]
    elif kind == "updateSheetProperties":
        props = spec.get("properties", {})
        size = props.get("gridProperties", {})
        mask = _mask_paths(spec.get("fields", "")) or []
        result = [
            replace(
                g,
                rows=size.get("rowCount", g.rows) if _masked(mask, "rowCount") else g.rows,
                columns=(
                    size.get("columnCount", g.columns)
                    if _masked(mask, "columnCount")
                    else g.columns
                ),
            )
            if g.sheet_id == props.get("sheetId", 0)
            else g
            for g in result
        ]
    return result


def _masked(mask: Sequence[str], name: str) -> bool:
    return any(p in ("*", "gridProperties", f"gridProperties.{name}") for p in mask)
