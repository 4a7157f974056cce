"""Real life in the journey (SPEC §1): small programmes replayed night by night through
`mentorflow nightly --today`, mail to an outbox, the coordinator editing the .xlsx between
nights. Each test reads what a coordinator and a new colleague would read."""

from __future__ import annotations

import email
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl

from jobs.cli import main
from tests.conftest import MATCH_HEADER, people_rows, person, write_xlsx
from tests.conftest import email as address
from tests.core.test_journey import WHO

DAY0 = date(2026, 11, 24)
TOUCHPOINTS = tuple(WHO)  # the journey as SPEC §1 writes it, in its order
COORDINATOR = [
    ["Coordinator name", "Carla Coördinator"],
    ["Coordinator email", "carla@zorg.example.org"],
]
NO_DIGEST = [["Send: coordinator digest", "no"]]


class Mail:
    """One message from the outbox, as its recipient reads it."""

    def __init__(self, path: Path) -> None:
        self.name = path.stem
        with path.open("rb") as handle:
            parsed = email.message_from_binary_file(handle, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.message = parsed
        self.to = parsed["To"].addresses[0].addr_spec
        self.subject = str(parsed["Subject"])
        body = parsed.get_body(preferencelist=("plain",))
        assert body is not None
        self.text = body.get_content()
        html = parsed.get_body(preferencelist=("html",))
        assert html is not None
        self.html = html.get_content()

    @property
    def touchpoint(self) -> str:
        """The touchpoint of the outbox's file name: MATCH_touchpoint_recipient."""
        return next(t for t in TOUCHPOINTS if self.name.split("_", 1)[-1].startswith(t + "_"))

    def __repr__(self) -> str:
        return f"Mail({self.name})"


def match_row(
    match_id: str, mentee: str, mentor: str, status: str, proposed_on: date | None = DAY0
) -> list[Any]:
    row = dict.fromkeys(MATCH_HEADER)
    row |= {
        "Match ID": match_id,
        "Mentee email": address(mentee),
        "Mentee": mentee.title(),
        "Mentor email": address(mentor),
        "Mentor": mentor.title(),
        "Status": status,
        "Proposed on": proposed_on,
    }
    return list(row.values())


class Programme:
    """A small programme in a real .xlsx, run by cron: one `nightly` a night."""

    def __init__(
        self,
        folder: Path,
        people: Sequence[Mapping[str, Any]],
        matches: Iterable[list[Any]] = (),
        settings: Iterable[list[Any]] = NO_DIGEST,
    ) -> None:
        self.folder = folder
        self.path = write_xlsx(
            folder / "programme.xlsx",
            {
                "Participants": people_rows(people),
                "Matches": [list(MATCH_HEADER), *matches],
                "Settings": [["Setting", "Value"], *COORDINATOR, *settings],
            },
        )
        self.outbox = folder / "outbox"
        self.config = folder / "mentorflow.toml"
        self.config.write_text(
            f'[workbook]\npath = "{self.path.as_posix()}"\n\n'
            f'[mail]\ntransport = "outbox"\noutbox_dir = "{self.outbox.as_posix()}"\n'
            'sender = "Mentorprogramma <mentor@zorg.example.org>"\n',
            encoding="utf-8",
        )
        self.seen: set[str] = set()
        self.mail: dict[date, list[Mail]] = {}

    def run(self, day: date, command: str = "nightly") -> list[Mail]:
        code = main(["--config", str(self.config), "--today", day.isoformat(), command])
        assert code == 0
        new = sorted(p for p in self.outbox.glob("*.eml") if p.name not in self.seen)
        self.seen |= {p.name for p in new}
        tonight = [Mail(p) for p in new]
        self.mail[day] = tonight
        return tonight

    def nights(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            self.run(day)
            day += timedelta(days=1)

    def sent(self, to: str | None = None) -> list[tuple[date, Mail]]:
        """Every message so far, in order, optionally only those to one person."""
        return [
            (day, m)
            for day, mails in sorted(self.mail.items())
            for m in mails
            if to is None or m.to == address(to)
        ]

    def rows(self, tab: str) -> list[dict[str, Any]]:
        sheet = openpyxl.load_workbook(self.path)[tab]
        values = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in values[0]]
        return [dict(zip(header, row, strict=False)) for row in values[1:]]

    def problems(self) -> list[dict[str, Any]]:
        return self.rows("Problems")

    def log(self) -> dict[str, dict[str, Any]]:
        return {str(r["Key"]): r for r in self.rows("Mail log")}

    def set(self, tab: str, key: tuple[str, Any], column: str, value: Any) -> None:
        """The coordinator types `value` into `column` of the row where `key` holds."""
        book = openpyxl.load_workbook(self.path)
        sheet = book[tab]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[header.index(key[0])].value == key[1]:
                row[header.index(column)].value = value
                break
        else:
            raise AssertionError(f"no row with {key} on {tab}")
        book.save(self.path)


def touchpoints(mails: Iterable[tuple[date, Mail]]) -> list[tuple[date, str]]:
    return [(day, m.touchpoint) for day, m in mails]


MENTOR = person("anna", "mentor", years_of_experience=12)


def test_an_undated_colleague_gets_no_first_day_and_check_ins_from_the_approval(
    tmp_path: Path,
) -> None:
    approved = date(2026, 12, 11)
    life = Programme(
        tmp_path,
        [MENTOR, person("bob", "mentee")],
        [match_row("M-0001", "bob", "anna", "proposed")],
    )
    life.run(approved - timedelta(days=1))
    assert life.sent() == []
    undated = [p for p in life.problems() if p["Severity"] == "note"]
    assert [(p["Tab"], p["Row"], p["Column"]) for p in undated] == [
        ("Participants", 3, "Start date")
    ]
    assert "If Bob is new, fill in the first working day." in undated[0]["How to fix"]
    life.set("Matches", ("Match ID", "M-0001"), "Status", "approved")
    life.nights(approved, approved + timedelta(days=31))
    assert touchpoints(life.sent("bob")) == [
        (approved, "welcome"),
        (approved + timedelta(days=7), "first_week"),
        (approved + timedelta(days=30), "first_month"),
    ]
    assert touchpoints(life.sent("anna")) == [
        (approved, "introduction"),
        (approved + timedelta(days=7), "first_week"),
        (approved + timedelta(days=30), "first_month"),
    ]
    for _, mail in life.sent():
        for words in ("first day", "first working day", "starts", "started"):
            assert words not in mail.text, (mail, words)
    welcome = life.sent("bob")[0][1]
    assert "meet your mentor" in welcome.subject.lower()


def test_a_new_colleague_approved_two_months_late_hears_the_past_as_past(tmp_path: Path) -> None:
    start, approved = date(2026, 11, 25), date(2027, 1, 22)
    life = Programme(
        tmp_path,
        [MENTOR, person("dina", "mentee", start_date=start)],
        [match_row("M-0001", "dina", "anna", "proposed", start)],
    )
    life.run(approved - timedelta(days=1))
    life.set("Matches", ("Match ID", "M-0001"), "Status", "approved")
    tonight = life.run(approved)
    assert sorted((m.to, m.touchpoint) for m in tonight) == [
        (address("anna"), "introduction"),
        (address("dina"), "welcome"),
    ]
    introduction = next(m for m in tonight if m.touchpoint == "introduction")
    assert "starts on" not in introduction.text and "week before" not in introduction.text
    assert "this week" in introduction.text
    # What was too late that night is logged, with the reason, and never sent later
    log = life.log()
    assert log["M-0001/first_month/anna@zorg.example.org"]["Status"] == "skipped"
    assert log["M-0001/first_month/anna@zorg.example.org"]["Detail"] == "too late to send"
    life.nights(approved + timedelta(days=1), approved + timedelta(days=40))
    assert [t for _, t in touchpoints(life.sent("dina"))] == ["welcome", "quarter"]


def test_approved_at_s_plus_11_one_message_a_night(tmp_path: Path) -> None:
    start = DAY0
    life = Programme(
        tmp_path,
        [MENTOR, person("eva", "mentee", start_date=start)],
        [match_row("M-0001", "eva", "anna", "approved")],
        [*NO_DIGEST],
    )
    # The pair was approved before mentorflow first ran, on S + 11
    approved = start + timedelta(days=11)
    life.nights(approved, approved + timedelta(days=25))
    by_day: dict[tuple[date, str], list[str]] = {}
    for day, mail in life.sent():
        by_day.setdefault((day, mail.to), []).append(mail.touchpoint)
    assert all(len(t) == 1 for t in by_day.values()), by_day
    log = life.log()
    assert log["M-0001/first_week/eva@zorg.example.org"]["Detail"] == "sent with the welcome"
    assert log["M-0001/first_week/anna@zorg.example.org"]["Detail"] == (
        "sent with the introduction"
    )


def proposals(life: Programme) -> list[dict[str, Any]]:
    return [r for r in life.rows("Matches") if r["Status"] == "proposed"]


def test_a_status_typo_holds_the_mentee_and_the_place_until_it_is_fixed(tmp_path: Path) -> None:
    start = DAY0 + timedelta(days=20)
    life = Programme(
        tmp_path,
        [
            {**MENTOR, "Capacity": 1},
            person("ben", "mentor", years_of_experience=9, capacity=2),
            person("fay", "mentee", start_date=start),
            person("gus", "mentee", start_date=start),
        ],
        [match_row("M-0001", "fay", "anna", "aproved")],
    )
    life.run(DAY0)
    assert life.sent() == []
    # Fay keeps her (unreadable) match and Anna her place: only Gus is proposed, to Ben
    assert [(r["Mentee email"], r["Mentor email"]) for r in proposals(life)] == [
        (address("gus"), address("ben"))
    ]
    typo = [p for p in life.problems() if p["Tab"] == "Matches"]
    assert [(p["Severity"], p["Row"], p["Column"]) for p in typo] == [("error", 2, "Status")]
    assert 'The status "aproved" is unknown.' in typo[0]["Problem"]
    life.set("Matches", ("Match ID", "M-0001"), "Status", "approved")
    tonight = life.run(DAY0 + timedelta(days=1))
    assert [(m.to, m.touchpoint) for m in tonight] == [(address("anna"), "introduction")]
    assert [p for p in life.problems() if p["Severity"] != "note"] == []


def test_two_approvals_by_hand_over_a_mentors_capacity_are_warned(tmp_path: Path) -> None:
    start = DAY0 + timedelta(days=20)
    life = Programme(
        tmp_path,
        [
            MENTOR,
            person("fay", "mentee", start_date=start),
            person("gus", "mentee", start_date=start),
        ],
        [
            match_row("M-0001", "fay", "anna", "approved"),
            match_row("M-0002", "gus", "anna", "approved"),
        ],
    )
    life.run(DAY0)
    warned = [p for p in life.problems() if p["Column"] == "Capacity"]
    assert [(p["Severity"], p["Tab"], p["Row"]) for p in warned] == [("warning", "Participants", 2)]
    assert warned[0]["Problem"] == "Anna mentors 2 matches (M-0001, M-0002) with a Capacity of 1."


def test_completed_and_finished_matches_are_done_and_free_the_mentor(tmp_path: Path) -> None:
    """A completed match and an approved one past S + 180 (finished): neither mentee is
    proposed again, both mentors take someone new, and the digest lists the finished match
    once, to be marked completed."""
    long_ago = DAY0 - timedelta(days=200)
    life = Programme(
        tmp_path,
        [
            MENTOR,
            person("ben", "mentor", years_of_experience=9),
            person("hal", "mentee", start_date=long_ago),
            person("ivy", "mentee", start_date=long_ago),
            person("jan", "mentee", start_date=DAY0 + timedelta(days=10)),
            person("kim", "mentee", start_date=DAY0 + timedelta(days=10)),
        ],
        [
            match_row("M-0001", "hal", "anna", "completed", long_ago),
            match_row("M-0002", "ivy", "ben", "approved", long_ago),
        ],
        [["Digest day", "tuesday"]],
    )
    life.nights(DAY0, DAY0 + timedelta(days=7))  # two Tuesdays: two digests
    assert sorted(r["Mentee email"] for r in life.rows("Matches")[2:]) == [
        address("jan"),
        address("kim"),
    ]
    digests = [m for _, m in life.sent("carla")]
    assert len(digests) == 2
    assert "M-0002: Ivy with Ben" in digests[0].text
    assert "set the Status to completed" in digests[0].text
    assert "M-0002" not in digests[1].text
    assert [m for _, m in life.sent("ivy")] == []
    summary = {
        r[0]: r[1] for r in openpyxl.load_workbook(life.path)["Summary"].iter_rows(values_only=True)
    }
    assert summary["Active matches (approved)"] == 0  # M-0002 is finished


def test_an_ended_match_lets_the_mentee_wait_again_for_another_mentor(tmp_path: Path) -> None:
    start = DAY0 - timedelta(days=30)
    life = Programme(
        tmp_path,
        [
            MENTOR,
            person("ben", "mentor", years_of_experience=9),
            person("lea", "mentee", start_date=start, goals="wondzorg"),
        ],
        [match_row("M-0001", "lea", "anna", "approved", start)],
    )
    life.run(DAY0)
    assert proposals(life) == []
    life.set("Matches", ("Match ID", "M-0001"), "Status", "ended")
    life.run(DAY0 + timedelta(days=1))
    # Another mentor, never the one the match ended with
    assert [(r["Match ID"], r["Mentor email"]) for r in proposals(life)] == [
        ("M-0002", address("ben"))
    ]
    assert not [m for d, m in life.sent() if d > DAY0]


def test_an_ended_match_after_the_wrap_up_is_the_end(tmp_path: Path) -> None:
    start = DAY0 - timedelta(days=155)
    life = Programme(
        tmp_path,
        [
            MENTOR,
            person("ben", "mentor", years_of_experience=9),
            person("lea", "mentee", start_date=start),
        ],
        [match_row("M-0001", "lea", "anna", "ended", start)],
    )
    life.run(DAY0)
    assert proposals(life) == []


def test_a_new_colleague_with_role_both_mentors_only_after_their_own_half_year(
    tmp_path: Path,
) -> None:
    start = DAY0 + timedelta(days=10)
    life = Programme(
        tmp_path,
        [
            person("moe", "both", start_date=DAY0 - timedelta(days=100), years_of_experience=15),
            person("nel", "mentee", start_date=start),
        ],
    )
    life.run(DAY0)
    assert proposals(life) == []  # moe waits for a mentor too, and is nobody's mentor yet
    assert {p["Problem"].split(":")[0] for p in life.problems() if p["Tab"] == "Participants"} >= {
        "No mentor proposed for Nel"
    }
    # "at least Programme length days ago": 180 days is enough
    life.set("Participants", ("Email", address("moe")), "Start date", DAY0 - timedelta(days=179))
    life.run(DAY0 + timedelta(days=1))
    assert [(r["Mentee email"], r["Mentor email"]) for r in proposals(life)] == [
        (address("nel"), address("moe"))
    ]


def test_a_mentor_who_leaves_is_replaced_and_the_journey_goes_on(tmp_path: Path) -> None:
    start = DAY0 + timedelta(days=10)
    life = Programme(
        tmp_path,
        [
            MENTOR,
            person("ben", "mentor", years_of_experience=9),
            person("olga", "mentee", start_date=start),
        ],
        [match_row("M-0001", "olga", "anna", "approved")],
    )
    life.nights(DAY0, start + timedelta(days=30))
    assert [t for _, t in touchpoints(life.sent("olga"))] == [
        "welcome",
        "first_week",
        "first_month",
    ]

    life.set("Participants", ("Email", address("anna")), "Status", "stopped")
    left = start + timedelta(days=31)
    assert life.run(left) == []
    flagged = [p for p in life.problems() if p["Tab"] == "Matches"]
    assert [(p["Severity"], p["Row"]) for p in flagged] == [("warning", 2)]
    assert flagged[0]["Problem"].startswith("The mentor Anna is stopped")
    assert "M-0002 (row 3) proposes a new mentor for Olga" in flagged[0]["Problem"]
    (replacement,) = proposals(life)
    assert (replacement["Match ID"], replacement["Mentor email"]) == ("M-0002", address("ben"))
    assert str(replacement["Why"]).startswith("replaces Anna (stopped)")
    assert life.run(left + timedelta(days=1)) == [] and len(proposals(life)) == 1

    life.set("Matches", ("Match ID", "M-0002"), "Status", "approved")
    approved = left + timedelta(days=2)
    tonight = {m.to: m for m in life.run(approved)}
    assert {t: m.touchpoint for t, m in tonight.items()} == {
        address("ben"): "introduction",
        address("olga"): "welcome",
    }
    assert "Anna" in tonight[address("ben")].text and "take" in tonight[address("ben")].text
    assert "Ben" in tonight[address("olga")].text and "Anna" in tonight[address("olga")].text
    assert [p for p in life.problems() if p["Tab"] == "Matches"] == []  # no "two open matches"
    log = life.log()
    assert log["M-0002/first_month/olga@zorg.example.org"]["Detail"] == (
        "already sent for the match this one replaces"
    )

    life.nights(approved + timedelta(days=1), start + timedelta(days=92))
    assert touchpoints(life.sent("olga")) == [
        (start - timedelta(days=7), "welcome"),
        (start + timedelta(days=7), "first_week"),
        (start + timedelta(days=30), "first_month"),
        (approved, "welcome"),
        (start + timedelta(days=91), "quarter"),
    ]
    assert [t for _, t in touchpoints(life.sent("ben"))] == ["introduction", "quarter"]
    assert {m.name.split("_")[0] for _, m in life.sent("ben")} == {"M-0002"}


def test_every_command_reports_what_nightly_would(tmp_path: Path) -> None:
    """Settings, matching and mail problems alike, on the same workbook and day."""
    people = [
        person("pia", "mentee", start_date=DAY0 + timedelta(days=5)),
        person("quin", "mentee"),
        person("rob", "mentor", status="paused"),
    ]
    tabs: dict[str, Any] = {}
    for command in ("check", "match", "evaluate", "intake", "nightly"):
        folder = tmp_path / command
        folder.mkdir()
        life = Programme(folder, people, settings=[])
        life.set("Settings", ("Setting", "Coordinator email"), "Value", None)
        book = openpyxl.load_workbook(life.path)
        log = book.create_sheet("Mail log")
        log.append(["Time", "To", "Touchpoint", "Match ID", "Subject", "Status", "Detail", "Key"])
        log.append(
            [
                "2026-11-20 02:00",
                address("sam"),
                "welcome",
                "M-0009",
                "Welkom",
                "failed",
                "refused: 550 5.1.1 user unknown",
                "M-0009/welcome/sam@zorg.example.org",
            ]
        )
        book.save(life.path)
        life.run(DAY0, command)
        tabs[command] = [
            (p["Severity"], p["Tab"], p["Row"], p["Column"], p["Problem"]) for p in life.problems()
        ]
    assert {(s, t, c) for s, t, _, c, _ in tabs["nightly"]} == {
        ("note", "Participants", "Start date"),  # quin: no start date
        ("warning", "Participants", "Name"),  # pia and quin: no mentor to propose
        ("warning", "Mail log", "Status"),  # the refused welcome
        ("warning", "Settings", "Value"),  # a digest with nobody to go to
    }
    for command in ("check", "match", "evaluate", "intake"):
        assert tabs[command] == tabs["nightly"], command


def test_an_undated_mentee_keeps_their_dates_when_the_replaced_match_is_marked_ended(
    tmp_path: Path,
) -> None:
    """The coordinator approves the replacement and sets the old match to ended the same
    evening, as the Problems tab suggests: the journey goes on, nothing is sent twice."""
    life = Programme(
        tmp_path,
        [MENTOR, person("ben", "mentor", years_of_experience=9), person("bob", "mentee")],
        [match_row("M-0001", "bob", "anna", "approved")],
    )
    life.nights(DAY0, DAY0 + timedelta(days=30))
    life.set("Participants", ("Email", address("anna")), "Status", "stopped")
    life.run(DAY0 + timedelta(days=31))
    life.set("Matches", ("Match ID", "M-0002"), "Status", "approved")
    life.set("Matches", ("Match ID", "M-0001"), "Status", "ended")
    life.nights(DAY0 + timedelta(days=32), DAY0 + timedelta(days=92))
    assert [(d - DAY0).days for d, _ in life.sent("bob")] == [0, 7, 30, 32, 91]
    assert [t for _, t in touchpoints(life.sent("bob"))] == [
        "welcome",
        "first_week",
        "first_month",
        "welcome",
        "quarter",
    ]
    welcome = life.sent("bob")[3][1]
    assert "Ben takes over from Anna" in welcome.text
    assert "Anna" in life.sent("ben")[0][1].text  # "You take over from Anna …"


def test_a_replacement_for_a_match_never_started_counts_from_its_own_approval(
    tmp_path: Path,
) -> None:
    """An undated mentee whose mentor was paused before the match was ever seen approved:
    the replacement's check-ins count from its own approval, and do come."""
    life = Programme(
        tmp_path,
        [
            {**MENTOR, "Status": "paused"},
            person("ben", "mentor", years_of_experience=9),
            person("bob", "mentee"),
        ],
        [match_row("M-0001", "bob", "anna", "approved")],
    )
    life.run(DAY0)
    assert [r["Match ID"] for r in proposals(life)] == ["M-0002"]
    life.set("Matches", ("Match ID", "M-0002"), "Status", "approved")
    life.nights(DAY0 + timedelta(days=1), DAY0 + timedelta(days=31))
    assert [((d - DAY0).days, t) for d, t in touchpoints(life.sent("bob"))] == [
        (1, "welcome"),
        (8, "first_week"),
        (31, "first_month"),
    ]


def test_a_mentor_back_before_the_replacement_is_approved_is_the_coordinators_choice(
    tmp_path: Path,
) -> None:
    life = Programme(
        tmp_path,
        [
            {**MENTOR, "Status": "paused"},
            person("ben", "mentor", years_of_experience=9),
            person("bob", "mentee", start_date=DAY0 - timedelta(days=20)),
        ],
        [match_row("M-0001", "bob", "anna", "approved", DAY0 - timedelta(days=30))],
    )
    life.run(DAY0)
    life.set("Participants", ("Email", address("anna")), "Status", "active")
    life.run(DAY0 + timedelta(days=1))
    # Two open matches again: the coordinator keeps one (the proposal holds Ben's place)
    (error,) = [p for p in life.problems() if p["Tab"] == "Matches"]
    assert (error["Severity"], error["Row"], error["Column"]) == ("error", 3, "Mentee email")
    assert error["Problem"] == '"bob@zorg.example.org" already has an open match in row 2.'
    assert error["How to fix"].startswith("Set one of the two to rejected or ended.")


def test_check_shows_tonights_replacement_as_nightly_does(tmp_path: Path) -> None:
    people = [
        {**MENTOR, "Status": "stopped"},
        person("ben", "mentor", years_of_experience=9),
        person("olga", "mentee", start_date=DAY0 + timedelta(days=10)),
    ]
    tabs = {}
    for command in ("check", "nightly"):
        folder = tmp_path / command
        folder.mkdir()
        life = Programme(folder, people, [match_row("M-0001", "olga", "anna", "approved")])
        life.run(DAY0, command)
        tabs[command] = [(p["Severity"], p["Tab"], p["Row"], p["Problem"]) for p in life.problems()]
    assert tabs["check"] == tabs["nightly"]
    texts = [t for _, _, _, t in tabs["check"]]
    assert any(t.startswith("The mentor Anna is stopped") and "M-0002 (row 3)" in t for t in texts)


def test_a_match_approved_after_the_wrap_up_sends_nothing_and_says_so(tmp_path: Path) -> None:
    life = Programme(
        tmp_path,
        [MENTOR, person("una", "mentee", start_date=DAY0 - timedelta(days=155))],
        [match_row("M-0001", "una", "anna", "approved", DAY0 - timedelta(days=170))],
    )
    life.nights(DAY0, DAY0 + timedelta(days=10))
    assert life.sent() == []
    (warning,) = [p for p in life.problems() if p["Tab"] == "Matches"]
    assert warning["Problem"] == (
        "M-0001 was approved after the closing conversation of Una was due: "
        "no messages go out for it."
    )
    assert {r["Detail"] for r in life.log().values()} == {
        "approved after the closing conversation was due"
    }


def test_someone_past_their_own_wrap_up_no_longer_waits_for_a_mentor(tmp_path: Path) -> None:
    """A `both` who started nine months ago and never had a mentor is a mentor, not a mentee
    waiting: a match approved for them now would send nothing."""
    life = Programme(
        tmp_path,
        [
            person("nils", "both", start_date=DAY0 - timedelta(days=273), years_of_experience=9),
            person("ola", "mentee", start_date=DAY0 + timedelta(days=14)),
        ],
    )
    life.run(DAY0)
    assert [(r["Mentee email"], r["Mentor email"]) for r in proposals(life)] == [
        (address("ola"), address("nils"))
    ]
    assert [p for p in life.problems() if p["Severity"] != "note"] == []


def test_the_digest_tells_new_problems_once_even_after_a_late_digest(tmp_path: Path) -> None:
    """The digest of Monday 23 November goes out late, on Tuesday 24 (the first run); a
    problem first seen that night is in it, and not again in the digest of 30 November."""
    life = Programme(
        tmp_path, [MENTOR, person("vic", "mentee", start_date=DAY0 + timedelta(days=10))], [], []
    )
    life.set("Participants", ("Email", address("vic")), "Status", "actve")
    life.nights(DAY0, DAY0 + timedelta(days=6))
    digests = [m for _, m in life.sent("carla")]
    assert [m.name.split("_")[1] for m in digests] == ["2026-11-23", "2026-11-30"]
    assert 'The status "actve" is unknown.' in digests[0].text
    assert "New problems: 0 (open in all: 1)" in digests[1].text
