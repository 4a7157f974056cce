"""The journey of SPEC §1, replayed day by day: every message once, on its day, nothing else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pipeline.core.journey import journey
from pipeline.core.programme import read_programme
from tests.conftest import MATCH_HEADER, PEOPLE_HEADER

DAY0 = date(2026, 11, 24)
LOG_HEADER = ["Key", "Match ID", "Touchpoint", "To", "Subject", "Status", "Time", "Detail"]


def person(name: str, role: str, start: date | None = None, status: str = "active") -> list[Any]:
    cells = {
        "Email": f"{name}@zorg.example.org",
        "Name": name.title(),
        "Role": role,
        "Status": status,
        "Start date": start,
    }
    return [cells.get(h) for h in PEOPLE_HEADER]


class Replay:
    """A small programme whose Mail log grows as the journey says, one day at a time."""

    def __init__(
        self, start: date | None, approve_on: date = DAY0, settings: list[list[Any]] | None = None
    ) -> None:
        self.start, self.approve_on = start, approve_on
        self.settings = settings or []
        self.log: list[list[Any]] = []
        self.sent: dict[str, date] = {}
        self.skipped: dict[str, date] = {}
        self.reasons: dict[str, str] = {}  # key -> why it was skipped
        self.mentor_status: dict[date, str] = {}

    def day(self, today: date, answered: frozenset[str] = frozenset()) -> None:
        status = "approved" if today >= self.approve_on else "proposed"
        tabs: dict[str, list[list[Any]]] = {
            "Participants": [
                list(PEOPLE_HEADER),
                person("mentee", "mentee", self.start),
                person("mentor", "mentor", status=self.mentor_status.get(today, "active")),
            ],
            "Matches": [
                list(MATCH_HEADER),
                [
                    "M-0001",
                    "mentee@zorg.example.org",
                    "",
                    "mentor@zorg.example.org",
                    "",
                    50,
                    "",
                    status,
                    DAY0,
                    "",
                ],
            ],
            "Settings": [["Setting", "Value"], *self.settings],
            "Mail log": [LOG_HEADER, *self.log],
        }
        programme = read_programme({k: tuple(tuple(r) for r in v) for k, v in tabs.items()})
        for message in journey(programme, today, answered):
            (self.skipped if message.skip else self.sent)[message.key] = today
            if message.skip:
                self.reasons[message.key] = message.skip
            self.log.append(
                [
                    message.key,
                    "M-0001",
                    message.touchpoint,
                    message.to.email,
                    "",
                    "skipped" if message.skip else "sent",
                    today.isoformat(),
                    "",
                ]
            )

    def run(self, days: int = 200, **options: Any) -> None:
        for n in range(days):
            self.day(DAY0 + timedelta(days=n), **options)


#: SPEC §1 written out on its own, as the tests expect it (not read from pipeline code).
OFFSETS = {
    "welcome": -7,
    "first_day": 0,
    "first_week": 7,
    "first_month": 30,
    "quarter": 91,
    "wrap_up": 150,
    "evaluation_reminder": 164,
}
WHO = {
    "introduction": ("mentor",),
    "welcome": ("mentee",),
    "first_day": ("mentor",),
    "first_week": ("mentor", "mentee"),
    "first_month": ("mentor", "mentee"),
    "quarter": ("mentor", "mentee"),
    "wrap_up": ("mentor", "mentee"),
    "evaluation_reminder": ("mentor", "mentee"),
}


def keyed(
    start: date, offsets: dict[str, int] = OFFSETS, match: str = "M-0001", suffix: str = ""
) -> dict[str, date]:
    """Mail log key -> expected day, for a pair named mentor<suffix> and mentee<suffix>."""
    return {
        f"{match}/{t}/{p}{suffix}@zorg.example.org": start + timedelta(days=d)
        for t, d in offsets.items()
        for p in WHO[t]
    }


def test_a_half_year_sends_every_touchpoint_once_on_its_day() -> None:
    start = DAY0 + timedelta(days=20)
    replay = Replay(start)
    replay.run()
    expected = keyed(start)
    expected["M-0001/introduction/mentor@zorg.example.org"] = DAY0
    assert replay.sent == expected
    assert replay.skipped == {}


def test_who_answered_the_evaluation_gets_no_reminder() -> None:
    replay = Replay(DAY0 + timedelta(days=20))
    replay.run(answered=frozenset({"mentee@zorg.example.org"}))
    reminders = [k for k in replay.sent if "evaluation_reminder" in k]
    assert reminders == ["M-0001/evaluation_reminder/mentor@zorg.example.org"]


def test_a_late_approval_still_introduces_and_welcomes_and_skips_what_is_too_late() -> None:
    """Approved at S + 40: the mentor is introduced and the new colleague welcomed that night
    (SPEC §1, "Introductions always happen"); check-ins more than grace days late are not."""
    start = DAY0
    approval = start + timedelta(days=40)
    replay = Replay(start, approve_on=approval)
    replay.run()
    assert {k.split("/")[1] for k, d in replay.sent.items() if d == approval} == {
        "introduction",
        "welcome",
    }
    assert {k.split("/")[1] for k in replay.skipped} == {"first_day", "first_week", "first_month"}
    assert all(day == approval for day in replay.skipped.values())
    assert set(replay.reasons.values()) == {"late"}
    assert replay.sent["M-0001/quarter/mentee@zorg.example.org"] == start + timedelta(days=91)


def test_on_the_approval_night_a_check_in_due_with_the_introduction_is_skipped() -> None:
    """Approved at S + 10: welcome and introduction go; the first week (3 days late, within
    the grace days) is not sent the same night to the same person."""
    start = DAY0
    approval = start + timedelta(days=10)
    replay = Replay(start, approve_on=approval)
    replay.run(40)
    assert replay.sent == {
        "M-0001/introduction/mentor@zorg.example.org": approval,
        "M-0001/welcome/mentee@zorg.example.org": approval,
        "M-0001/first_month/mentor@zorg.example.org": start + timedelta(days=30),
        "M-0001/first_month/mentee@zorg.example.org": start + timedelta(days=30),
    }
    assert replay.reasons == {
        "M-0001/first_day/mentor@zorg.example.org": "late",
        "M-0001/first_week/mentor@zorg.example.org": "with_introduction",
        "M-0001/first_week/mentee@zorg.example.org": "with_welcome",
    }


def test_a_new_colleague_approved_early_is_welcomed_a_week_before_the_start() -> None:
    start = DAY0 + timedelta(days=30)
    replay = Replay(start)
    replay.run(40)
    assert replay.sent["M-0001/introduction/mentor@zorg.example.org"] == DAY0
    assert replay.sent["M-0001/welcome/mentee@zorg.example.org"] == start - timedelta(days=7)


def test_a_colleague_without_a_start_date_gets_no_first_day_and_check_ins_from_the_approval() -> (
    None
):
    approval = DAY0 + timedelta(days=3)
    replay = Replay(None, approve_on=approval)
    replay.run()
    expected = keyed(approval, {t: d for t, d in OFFSETS.items() if t not in ("first_day",)})
    expected["M-0001/welcome/mentee@zorg.example.org"] = approval  # not "a week before"
    expected["M-0001/introduction/mentor@zorg.example.org"] = approval
    assert replay.sent == expected
    assert replay.skipped == {}


def test_of_several_check_ins_due_after_a_pause_only_the_furthest_goes() -> None:
    start = DAY0 + timedelta(days=5)
    replay = Replay(start, settings=[["Grace days", 30]])
    for n in range(10, 37):  # paused from S + 5 to S + 31
        replay.mentor_status[start + timedelta(days=n - 5)] = "gepauzeerd"
    replay.run(60)
    back = start + timedelta(days=32)
    assert replay.sent["M-0001/first_month/mentee@zorg.example.org"] == back
    assert replay.skipped["M-0001/first_week/mentee@zorg.example.org"] == back
    assert replay.reasons["M-0001/first_week/mentee@zorg.example.org"] == "later_went"


def test_an_approval_after_the_wrap_up_opens_nothing_and_one_past_the_programme_sends_nothing() -> (
    None
):
    start = DAY0
    closing = Replay(start, approve_on=start + timedelta(days=155))
    closing.run()
    # not even the closing conversation (5 days late) goes to a pair never introduced
    assert closing.sent == {}
    assert set(closing.reasons.values()) == {"approved_late"}
    assert {k.split("/")[1] for k in closing.reasons} == {
        "introduction",
        "welcome",
        "first_day",
        "first_week",
        "first_month",
        "quarter",
        "wrap_up",
        "evaluation_reminder",
    }
    finished = Replay(start, approve_on=start + timedelta(days=181))
    finished.run(200)
    assert finished.sent == {} and finished.skipped == {}


def test_a_pause_sends_nothing_and_what_it_made_too_late_is_skipped() -> None:
    start = DAY0 + timedelta(days=10)
    replay = Replay(start)
    for n in range(60, 131):
        replay.mentor_status[DAY0 + timedelta(days=n)] = "gepauzeerd"
    replay.run()
    quarter = {k: d for k, d in replay.skipped.items() if "/quarter/" in k}
    assert quarter == {
        f"M-0001/quarter/{p}@zorg.example.org": DAY0 + timedelta(days=131)
        for p in ("mentor", "mentee")
    }
    assert not [
        d
        for d in replay.sent.values()
        if DAY0 + timedelta(days=60) <= d <= DAY0 + timedelta(days=130)
    ]


def test_switched_off_touchpoints_are_not_sent_and_the_introduction_is_still_remembered() -> None:
    replay = Replay(None, settings=[["Send: introduction", "no"], ["Send: first month", "no"]])
    replay.run(120)
    assert replay.skipped == {"M-0001/introduction/mentor@zorg.example.org": DAY0}
    assert not [k for k in replay.sent if "/first_month/" in k]
    # no start date: anchored on the approval day, remembered by the (skipped) introduction
    assert replay.sent["M-0001/first_week/mentee@zorg.example.org"] == DAY0 + timedelta(days=7)
    assert replay.sent["M-0001/quarter/mentor@zorg.example.org"] == DAY0 + timedelta(days=91)


def test_offsets_and_grace_days_come_from_settings() -> None:
    start = DAY0 + timedelta(days=20)
    replay = Replay(start, settings=[["Days from start: first week", 10], ["Grace days", 2]])
    replay.run(40)
    assert replay.sent["M-0001/first_week/mentor@zorg.example.org"] == start + timedelta(days=10)


def test_exactly_grace_days_late_is_still_sent_one_more_is_skipped() -> None:
    start = DAY0
    quarter = "M-0001/quarter/mentor@zorg.example.org"
    on_the_edge = Replay(start)
    for n in range(80, 98):  # back on S + 98: the quarter (S + 91) is 7 days late
        on_the_edge.mentor_status[start + timedelta(days=n)] = "gepauzeerd"
    on_the_edge.run(120)
    assert on_the_edge.sent[quarter] == start + timedelta(days=98)
    too_late = Replay(start)
    for n in range(80, 99):
        too_late.mentor_status[start + timedelta(days=n)] = "gepauzeerd"
    too_late.run(120)
    assert too_late.reasons[quarter] == "late"
