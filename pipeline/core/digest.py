"""The coordinator's weekly digest (SPEC §1, §5): what waits for them, in one message.

It goes once a week, on the Settings' digest day (or the first run after it, within the
grace days), to the coordinator's email. It covers the week before that day: proposals
waiting for approval (with their rows), problems new since the last digest, mails sent and
failed, evaluations received, and flags for low scores and for pairs who say they did not
meet. A flag names the match and who answered, never the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.core.cells import email_key
from pipeline.core.evaluation import Evaluations, Response
from pipeline.core.journey import Outgoing
from pipeline.core.life import life_of
from pipeline.core.models import Match, Problem, latest
from pipeline.core.problem_text import render as render_problem
from pipeline.core.problems import ordered, since, where
from pipeline.core.programme import Programme
from pipeline.core.render import first_name, long_date, programme_variables
from pipeline.core.settings import setting_row
from pipeline.core.stage import Context
from pipeline.core.vocab import (
    MAIL_STATUSES,
    MATCH_STATUSES,
    SETTINGS_COLUMNS,
    TABS,
    TOUCHPOINTS,
    WEEKDAYS,
    Phrases,
)

#: New problems listed one by one in the digest; the rest are counted.
LISTED_PROBLEMS = 25

_WORDS = Phrases(
    {
        "low": (
            'gave a low score on "{question}"',
            'gaf een lage score bij "{question}"',
            'ga en lav score på "{question}"',
        ),
        "not_met": (
            "answered that they have not met",
            "antwoordde dat ze elkaar niet gesproken hebben",
            "svarte at de ikke har møttes",
        ),
        "mentor": ("the mentor", "de mentor", "mentoren"),
        "mentee": ("the mentee", "de mentee", "menteen"),
    }
)


@dataclass(frozen=True)
class Week:
    """The digest's day and the week it covers: [start, day)."""

    day: date
    start: date

    def holds(self, day: date) -> bool:
        return self.start <= day < self.day


def this_week(programme: Programme, today: date) -> Week:
    """The week of the last digest day on or before today, whether a digest is due or not."""
    weekday = list(WEEKDAYS.terms).index(programme.settings.digest_day)
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    return Week(day, day - timedelta(days=7))


def digest_week(programme: Programme, today: date) -> Week | None:
    """The digest due today or, caught up, at most grace days ago; None when none is due."""
    settings = programme.settings
    if "digest" not in settings.touchpoints_on or not settings.coordinator_email:
        return None
    week = this_week(programme, today)
    if (today - week.day).days > settings.grace_days:
        return None
    return week


def digest_key(week: Week, coordinator: str) -> str:
    return f"digest/{week.day.isoformat()}/{email_key(coordinator)}"


def _pair(programme: Programme, match: Match) -> dict[str, str]:
    """The match's ID and its people's names (their addresses if they left Participants)."""
    mentee, mentor = programme.person(match.mentee_email), programme.person(match.mentor_email)
    return {
        "id": match.match_id,
        "row": str(match.row),
        "mentee": mentee.name if mentee else match.mentee_email,
        "mentor": mentor.name if mentor else match.mentor_email,
    }


def _flags(
    responses: list[Response], found: Evaluations, programme: Programme, lang: str
) -> list[dict[str, str]]:
    flags = []
    for response in responses:
        reasons = [
            _WORDS.word("low", lang).format(question=q.title) for q in response.low(found.questions)
        ]
        if response.met is False:
            reasons.append(_WORDS.word("not_met", lang))
        if not reasons:
            continue
        flags.append(
            {
                **_pair(programme, response.match),
                "who": _WORDS.word(response.role, lang),
                "reasons": "; ".join(reasons),
            }
        )
    return flags


def _problem_items(
    problems: Sequence[Problem], lang: str, run: Context, since_day: date
) -> list[dict[str, str]]:
    items = []
    for problem in problems:
        if since(problem, lang, run.seen, run.today) <= since_day:
            continue  # in an earlier digest already
        _, shown, _ = render_problem(problem, lang)
        items.append({"where": where(problem, lang), "text": shown})
    return items


def _previous_digest(programme: Programme, week: Week) -> date | None:
    """The day the last digest before this week's went out (its Mail log row's Time)."""
    days = []
    for entry in latest(programme.mail_log).values():
        kind, _, rest = entry.key.partition("/")
        if kind == "digest" and entry.status == "sent" and entry.day is not None:
            try:
                covers = date.fromisoformat(rest.partition("/")[0])
            except ValueError:
                continue
            if covers < week.day:
                days.append(entry.day)
    return max(days, default=None)


def _to_mark(programme: Programme, run: Context, week: Week) -> list[dict[str, str]]:
    """Matches whose Status no longer says what the job does with them, each listed in one
    digest: finished ones (to mark completed) and ones a replacement ended (to mark ended)."""
    previous = _previous_digest(programme, week)
    lang = programme.email_language
    replaced_by = {old.match_id: new for new, old in programme.replaces.items()}
    return [
        {
            **_pair(programme, match),
            "status": MATCH_STATUSES.word(status, lang),
            "replaced_by": replaced_by.get(match.match_id, ""),
        }
        for match, status, since_day in life_of(programme, run.today).to_mark()
        if previous is None or since_day > previous
    ]


def digest(
    programme: Programme, run: Context, found: Evaluations, week: Week | None = None
) -> Outgoing | None:
    """The digest message due today, if any (the Mail log decides whether it already went);
    given a `week`, that week's digest (a preview), due or not."""
    week = week or digest_week(programme, run.today)
    if week is None:
        return None
    settings = programme.settings
    lang = programme.email_language
    proposals = [_pair(programme, m) for m in programme.matches if m.status == "proposed"]
    states = latest(programme.mail_log)
    sent = sum(
        1 for e in states.values() if e.status == "sent" and e.day is not None and week.holds(e.day)
    )
    # Failed and uncertain mail stays in every digest until the coordinator handles it.
    failed = [
        {
            "row": str(entry.row),
            "to": entry.to,
            "touchpoint": TOUCHPOINTS.word(entry.touchpoint, lang)
            if entry.touchpoint in TOUCHPOINTS
            else entry.touchpoint,
            "status": MAIL_STATUSES.word(entry.status, lang),
        }
        for entry in states.values()
        if entry.status in ("failed", "unknown")
    ]
    this_week = [r for r in found.responses if r.received is not None and week.holds(r.received)]
    undated = [r for r in found.responses if r.received is None]
    tab_order = [table.name for table in programme.tables.values()]
    open_problems = ordered([*run.found, *found.problems], tab_order)
    # New since the last digest went out (a late one may have gone after its week), or
    # within the week when there was none
    previous = _previous_digest(programme, week)
    problems = _problem_items(open_problems, lang, run, max(week.start, previous or week.start))
    variables: Mapping[str, object] = {
        **programme_variables(programme, lang),
        "recipient_first": first_name(settings.coordinator_name),
        "week_start": long_date(week.start, lang),
        "week_end": long_date(week.day - timedelta(days=1), lang),
        "workbook": run.workbook,
        "matches_tab": _tab(programme, "matches"),
        "problems_tab": _tab(programme, "problems"),
        "summary_tab": _tab(programme, "summary"),
        "proposals": proposals,
        "to_mark": _to_mark(programme, run, week),
        "problems_open": len(open_problems),
        "problems_new": problems[:LISTED_PROBLEMS],
        "problems_more": max(len(problems) - LISTED_PROBLEMS, 0),
        "mails_sent": sent,
        "mails_failed": failed,
        "evaluations_in": len(this_week),
        "evaluations_total": len(found.responses),
        "flags": _flags(this_week + undated, found, programme, lang),
    }
    return Outgoing(
        key=digest_key(week, settings.coordinator_email),
        match_id="",
        touchpoint="digest",
        to_email=settings.coordinator_email,
        to_name=settings.coordinator_name,
        due=week.day,
        skip="",
        lang=lang,
        variables=variables,
    )


def digest_problems(programme: Programme) -> list[Problem]:
    """The digest is on but has nowhere to go."""
    settings = programme.settings
    if "digest" not in settings.touchpoints_on or settings.coordinator_email:
        return []
    table = programme.tables.get("settings")
    lang = programme.language
    row = setting_row(table, "coordinator_email") if table is not None else None
    column = (
        table.header("value", lang) if table is not None else SETTINGS_COLUMNS.word("value", lang)
    )
    return [Problem.at(_tab(programme, "settings"), row, column, "digest_no_coordinator", "")]


def _tab(programme: Programme, key: str) -> str:
    table = programme.tables.get(key)
    return table.name if table is not None else TABS.word(key, programme.language)
