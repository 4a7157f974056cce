"""Wording of the journey emails follows the facts on the night they go (SPEC §1).

A new colleague whose first working day is ahead ("coming"), one who starts on the very
night the message goes ("today"), one who has started ("started"), an existing colleague
mentored for development ("colleague"), and a match that replaces one whose mentor left:
every touchpoint, in every language.
"""

from __future__ import annotations

import html
import re

import pytest

from pipeline.core.render import TEMPLATES, Rendered, render
from tests.core.test_journey import WHO

LANGUAGES = ("en", "nl", "nb")
TIMINGS = ("coming", "today", "started", "colleague")
RECIPIENTS = WHO  # who gets each touchpoint, as SPEC §1 writes it
CHECK_INS = ("first_week", "first_month", "quarter")

MENTEE = "Anna de Vries"
MENTOR = "Bob Jansen"
PREVIOUS = "Erik Bakker"
START = {
    "en": "Wednesday 25 November 2026",
    "nl": "woensdag 25 november 2026",
    "nb": "onsdag 25. november 2026",
}

# Words that speak of a first day, a start or a welcome to the organisation.
FIRST_DAY_WORDS = {
    "en": ("first day", "first working day", "first week", "start", "joining us", "welcome to"),
    "nl": ("eerste dag", "eerste werkdag", "eerste week", "begint", "begon", "start", "welkom bij"),
    "nb": (
        "første dag",
        "første arbeidsdag",
        "første uke",
        "begynner",
        "begynte",
        "begynt",
        "start",
        "velkommen til",
    ),
}
THIS_WEEK = {"en": "this week", "nl": "deze week", "nb": "denne uken"}
WEEK_BEFORE = {
    "en": "in the week before the first working day",
    "nl": "in de week voor de eerste werkdag",
    "nb": "i uken før første arbeidsdag",
}
FIRST_DAY_REMINDER = {
    "en": "reminder on the first day",
    "nl": "herinnering op de eerste werkdag",
    "nb": "påminnelse på første arbeidsdag",
}
WILL_START = {  # the start date named as a day to come
    "en": f"starts on {START['en']}",
    "nl": f"op {START['nl']} begint",
    "nb": f"begynner {START['nb']}",
}
HAS_STARTED = {
    "en": f"started on {START['en']}",
    "nl": f"op {START['nl']} is begonnen",
    "nb": f"begynte {START['nb']}",
}
FUTURE_WORDS = {"en": ("starts", "joining us"), "nl": ("begint",), "nb": ("begynner",)}
WELCOME_TO = {"en": "Welcome to", "nl": "Welkom bij", "nb": "Velkommen til"}
MEET_YOUR_MENTOR = {
    "en": f"Meet your mentor: {MENTOR}",
    "nl": f"Maak kennis met je mentor: {MENTOR}",
    "nb": f"Møt mentoren din: {MENTOR}",
}
MEET_YOUR_NEW_MENTOR = {
    "en": f"Meet your new mentor: {MENTOR}",
    "nl": f"Maak kennis met je nieuwe mentor: {MENTOR}",
    "nb": f"Møt den nye mentoren din: {MENTOR}",
}
FIRST_DAY_THERE = {  # the mentor will be there on the first day
    "en": "will be there on your first day",
    "nl": "is er op je eerste werkdag",
    "nb": "er der på første arbeidsdag",
}
ALREADY_WORKS = {
    "en": "a colleague who already works with us in PG De Linde",
    "nl": "een collega die al bij PG De Linde werkt",
    "nb": "en kollega som allerede jobber hos oss i PG De Linde",
}
# Every check-in still ahead, counted from tonight (a colleague) or from today (the start).
LISTED_REMINDERS = {
    "en": (
        "reminder after one week, one month and three months,"
        " and at about five months for the closing conversation"
    ),
    "nl": (
        "herinnering na een week, een maand en drie maanden,"
        " en na ongeveer vijf maanden voor het afsluitende gesprek"
    ),
    "nb": (
        "påminnelse etter én uke, én måned og tre måneder,"
        " og etter omtrent fem måneder for avslutningssamtalen"
    ),
}
REMINDER_WORD = {"en": "reminder", "nl": "herinnering", "nb": "påminnelse"}
# Words for the first day itself (a reminder on it is not sent when the start is tonight).
FIRST_DAY_ITSELF = {
    "en": ("first day", "first working day"),
    "nl": ("eerste dag", "eerste werkdag"),
    "nb": ("første dag", "første arbeidsdag"),
}
# On the night of the first working day: it is today, neither to come nor gone.
STARTS_TODAY = {
    "en": "who starts today in PG De Linde",
    "nl": "die vandaag begint bij PG De Linde",
    "nb": "som begynner i dag i PG De Linde",
}
BE_THERE_TODAY = {  # asked of the mentor
    "en": "Could you be there today to welcome Anna and show them around?",
    "nl": "Wil je er vandaag zijn om Anna te ontvangen en rond te leiden?",
    "nb": "Kan du være der i dag for å ta imot Anna og vise rundt på arbeidsplassen?",
}
GLAD_YOU_JOIN_TODAY = {
    "en": "We are glad you are joining us today.",
    "nl": "We zijn blij dat je vandaag bij ons begint.",
    "nb": "Vi er glade for at du begynner hos oss i dag.",
}
THERE_TODAY = {  # promised to the mentee
    "en": "Bob will be there today to show you around.",
    "nl": "Bob is er vandaag om je rond te leiden.",
    "nb": "Bob er der i dag for å vise deg rundt.",
}
TODAY = {"en": "today", "nl": "vandaag", "nb": "i dag"}
PAST_WORDS = {"en": ("started",), "nl": ("begonnen",), "nb": ("begynte", "har begynt")}
# The wording for an existing colleague, and the welcome of one who has settled in.
COLLEAGUE_WORDS = {
    "en": ("already works with us", "not an induction", "own development"),
    "nl": ("collega die al", "niet om inwerken", "eigen ontwikkeling"),
    "nb": ("allerede jobber hos oss", "ikke om opplæring", "egen utvikling"),
}
SETTLING_IN = {
    "en": "We hope you are settling in",
    "nl": "We hopen dat je het naar je zin hebt",
    "nb": "Vi håper du trives",
}
WELCOME_SUBJECT = {
    "en": "Welcome, Anna: meet your mentor",
    "nl": "Welkom, Anna: maak kennis met je mentor",
    "nb": "Velkommen, Anna: møt mentoren din",
}
NEXT_REMINDERS = {
    "en": "reminder for each of the next conversations",
    "nl": "herinnering voor elk volgend gesprek",
    "nb": "påminnelse om hver av de neste samtalene",
}
TAKES_OVER_INTRODUCTION = {
    "en": (f"You take over from {PREVIOUS} as the mentor of {MENTEE}",),
    "nl": (
        f"Je wordt de nieuwe mentor van {MENTEE}",
        f"Je neemt het mentorschap over van {PREVIOUS}",
    ),
    "nb": (f"Du blir ny mentor for {MENTEE}", f"Du tar over etter {PREVIOUS}"),
}
TAKES_OVER_WELCOME = {
    "en": f"{MENTOR} takes over from {PREVIOUS} as your mentor",
    "nl": f"{MENTOR} wordt je nieuwe mentor en neemt het over van {PREVIOUS}",
    "nb": f"{MENTOR} blir den nye mentoren din og tar over etter {PREVIOUS}",
}
TAKE_OVER_WORDS = {"en": "take over", "nl": "nieuwe mentor", "nb": "tar over"}
# A colleague's check-in speaks of how long the mentoring has been going.
MENTORING_FOR = {
    "en": {
        "first_week": "been going for a week now",
        "first_month": "been going for a month now",
        "quarter": "been going for three months now",
    },
    "nl": {
        "first_week": "loopt nu een week",
        "first_month": "loopt nu een maand",
        "quarter": "loopt nu drie maanden",
    },
    "nb": {
        "first_week": "har nå vart i en uke",
        "first_month": "har nå vart i en måned",
        "quarter": "har nå vart i tre måneder",
    },
}
# A new colleague's check-in speaks of the time since the first working day.
SINCE_THE_START = {
    "en": {
        "first_week": "what was new",
        "first_month": "a month since",
        "quarter": "started three months ago",
    },
    "nl": {
        "first_week": "wat was nieuw",
        "first_month": "een maand geleden dat",
        "quarter": "drie maanden geleden",
    },
    "nb": {
        "first_week": "hva var nytt",
        "first_month": "en måned siden",
        "quarter": "for tre måneder siden",
    },
}


def variables(lang: str, timing: str, role: str, previous: str = "") -> dict[str, object]:
    """Every variable the templates get, as pipeline.core.render.context builds them."""
    recipient = MENTOR if role == "mentor" else MENTEE
    return {
        "programme": "Mentorprogramma",
        "the_programme": "het mentorprogramma",
        "organisation_or_programme": "Zorggroep De Linde",
        "coordinator_or_programme": "Dana Peeters",
        "contact": "Contact Dana Peeters at dana@example.org.",
        "signature": "Dana Peeters",
        "role": role,
        "recipient_name": recipient,
        "recipient_first": recipient.split()[0],
        "mentee_name": MENTEE,
        "mentee_first": "Anna",
        "mentee_email": "anna@example.org",
        "mentee_team": "PG De Linde",
        "mentee_discipline": "nurse",
        "mentor_name": MENTOR,
        "mentor_first": "Bob",
        "mentor_email": "bob@example.org",
        "start_date": "" if timing == "colleague" else START[lang],
        "timing": timing,
        "previous_mentor_name": previous,
        "previous_mentor_first": previous.split()[0] if previous else "",
        "evaluation_link": "https://forms.example.org/evaluation",
    }


def shown(touchpoint: str, lang: str, timing: str, role: str, previous: str = "") -> Rendered:
    return render(touchpoint, lang, variables(lang, timing, role, previous))


def everything(rendered: Rendered) -> str:
    """Subject, text and the HTML's words, for a search that must find nothing."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", rendered.html))
    return " ".join((rendered.subject, rendered.text, words)).lower()


def paragraphs_of_text(rendered: Rendered) -> list[str]:
    return [" ".join(p.split()) for p in rendered.text.split("\n\n") if p.strip()]


def paragraphs_of_html(rendered: Rendered) -> list[str]:
    # The content's paragraphs are bare <p>; the layout's header and footer carry a style.
    found = re.findall(r"<p>(.*?)</p>", rendered.html, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", p)).split()) for p in found]


def reminder_paragraph(rendered: Rendered, lang: str) -> str:
    """The one paragraph of an introduction that says which reminders will come."""
    found = [p for p in paragraphs_of_text(rendered) if REMINDER_WORD[lang] in p]
    assert len(found) == 1, found
    return found[0]


def cases() -> list[tuple[str, str, str, str, str]]:
    """(touchpoint, lang, timing, role, previous mentor) for every message there can be."""
    found: list[tuple[str, str, str, str, str]] = []
    for touchpoint, roles in RECIPIENTS.items():
        previous = ("", PREVIOUS) if touchpoint in ("introduction", "welcome") else ("",)
        for lang in LANGUAGES:
            for timing in TIMINGS:
                for role in roles:
                    found += [(touchpoint, lang, timing, role, p) for p in previous]
    return found


@pytest.mark.parametrize(("touchpoint", "lang", "timing", "role", "previous"), cases())
def test_text_and_html_say_the_same_and_the_subject_is_one_line(
    touchpoint: str, lang: str, timing: str, role: str, previous: str
) -> None:
    rendered = shown(touchpoint, lang, timing, role, previous)
    assert paragraphs_of_text(rendered) == paragraphs_of_html(rendered)
    assert len(paragraphs_of_text(rendered)) >= 4  # greeting, message, contact, regards
    assert rendered.subject and "\n" not in rendered.subject
    source = (TEMPLATES / lang / f"{touchpoint}.subject").read_text(encoding="utf-8")
    assert len(source.strip().splitlines()) == 1


@pytest.mark.parametrize(("touchpoint", "lang", "timing", "role", "previous"), cases())
def test_no_word_is_written_twice_in_a_row(
    touchpoint: str, lang: str, timing: str, role: str, previous: str
) -> None:
    """Catches slips like "Du kan allerede nå nå ..."."""
    rendered = shown(touchpoint, lang, timing, role, previous)
    for part in (rendered.subject, rendered.text):
        assert re.search(r"\b(\w+)\s+\1\b", part, flags=re.I) is None, part


@pytest.mark.parametrize(
    ("touchpoint", "lang", "role", "previous"),
    [c[:2] + c[3:] for c in cases() if c[2] == "colleague" and c[0] != "first_day"],
)
def test_nothing_to_a_colleague_speaks_of_a_first_day_or_a_start(
    touchpoint: str, lang: str, role: str, previous: str
) -> None:
    said = everything(shown(touchpoint, lang, "colleague", role, previous))
    for word in FIRST_DAY_WORDS[lang]:
        assert word not in said, word
    assert START[lang].lower() not in said and "2026" not in said


@pytest.mark.parametrize("previous", ["", PREVIOUS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_introduction_before_the_first_day_names_it_and_asks_for_the_week_before(
    lang: str, previous: str
) -> None:
    rendered = shown("introduction", lang, "coming", "mentor", previous)
    assert WILL_START[lang] in rendered.text
    assert WEEK_BEFORE[lang] in rendered.text
    assert FIRST_DAY_REMINDER[lang] in rendered.text
    assert THIS_WEEK[lang] not in rendered.text


@pytest.mark.parametrize("previous", ["", PREVIOUS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_introduction_after_the_first_day_says_it_has_come_and_asks_for_this_week(
    lang: str, previous: str
) -> None:
    rendered = shown("introduction", lang, "started", "mentor", previous)
    assert HAS_STARTED[lang] in rendered.text
    assert THIS_WEEK[lang] in rendered.text
    assert WILL_START[lang] not in rendered.text
    for word in FUTURE_WORDS[lang]:
        assert word not in rendered.text, word
    assert WEEK_BEFORE[lang] not in rendered.text
    assert FIRST_DAY_REMINDER[lang] not in rendered.text
    assert NEXT_REMINDERS[lang] in rendered.text


@pytest.mark.parametrize("previous", ["", PREVIOUS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_introduction_on_the_first_day_says_today_and_asks_to_be_there(
    lang: str, previous: str
) -> None:
    rendered = shown("introduction", lang, "today", "mentor", previous)
    said = everything(rendered)
    assert STARTS_TODAY[lang] in rendered.text
    assert BE_THERE_TODAY[lang] in rendered.text
    # The date is neither to come nor gone, and the mentee is no existing colleague.
    assert START[lang].lower() not in said
    assert WILL_START[lang] not in rendered.text and HAS_STARTED[lang] not in rendered.text
    for word in PAST_WORDS[lang]:
        assert word not in said, word
    for words in COLLEAGUE_WORDS[lang]:
        assert words not in said, words
    assert WEEK_BEFORE[lang] not in rendered.text and THIS_WEEK[lang] not in rendered.text
    # No reminder on the first day: it is tonight, and the introduction goes instead.
    reminders = reminder_paragraph(rendered, lang)
    assert LISTED_REMINDERS[lang] in reminders
    for words in FIRST_DAY_ITSELF[lang]:
        assert words not in reminders, words
    assert FIRST_DAY_REMINDER[lang] not in said


@pytest.mark.parametrize("previous", ["", PREVIOUS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_introduction_for_a_colleague_asks_for_this_week(lang: str, previous: str) -> None:
    rendered = shown("introduction", lang, "colleague", "mentor", previous)
    assert ALREADY_WORKS[lang] in rendered.text
    assert THIS_WEEK[lang] in rendered.text
    # The check-ins of a new match count from tonight; a replacement's go on as they were.
    reminders = NEXT_REMINDERS if previous else LISTED_REMINDERS
    assert reminders[lang] in rendered.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_before_the_first_day_welcomes_and_promises_the_mentor_there(lang: str) -> None:
    rendered = shown("welcome", lang, "coming", "mentee")
    assert WELCOME_TO[lang] in rendered.text
    assert START[lang] in rendered.text
    assert FIRST_DAY_THERE[lang] in rendered.text


@pytest.mark.parametrize("timing", ["coming", "today"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_before_or_on_the_first_day_has_a_welcome_subject(lang: str, timing: str) -> None:
    assert shown("welcome", lang, timing, "mentee").subject == WELCOME_SUBJECT[lang]


@pytest.mark.parametrize("previous", ["", PREVIOUS])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_on_the_first_day_says_today_and_the_mentor_is_there(
    lang: str, previous: str
) -> None:
    rendered = shown("welcome", lang, "today", "mentee", previous)
    said = everything(rendered)
    if previous:  # the replacement's own first sentence, then the day's
        assert TAKES_OVER_WELCOME[lang] in rendered.text
        assert WELCOME_TO[lang] not in rendered.text
    else:
        assert (
            f"{WELCOME_TO[lang]} Zorggroep De Linde! {GLAD_YOU_JOIN_TODAY[lang]}" in rendered.text
        )
    assert THERE_TODAY[lang] in rendered.text
    assert TODAY[lang] in said
    assert START[lang].lower() not in said
    for word in PAST_WORDS[lang]:
        assert word not in said, word
    for words in (*COLLEAGUE_WORDS[lang], SETTLING_IN[lang].lower()):
        assert words not in said, words
    assert FIRST_DAY_THERE[lang] not in rendered.text and THIS_WEEK[lang] not in rendered.text


@pytest.mark.parametrize("timing", ["started", "colleague"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_welcome_after_the_first_day_or_without_one_is_meet_your_mentor(
    lang: str, timing: str
) -> None:
    rendered = shown("welcome", lang, timing, "mentee")
    assert rendered.subject == MEET_YOUR_MENTOR[lang]
    assert WELCOME_TO[lang] not in rendered.text
    assert FIRST_DAY_THERE[lang] not in rendered.text
    assert THIS_WEEK[lang] in rendered.text
    assert START[lang] not in rendered.text
    for word in FUTURE_WORDS[lang]:
        assert word not in rendered.text, word


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_replacement_says_who_takes_over_from_whom(lang: str, timing: str) -> None:
    introduction = shown("introduction", lang, timing, "mentor", PREVIOUS)
    for phrase in TAKES_OVER_INTRODUCTION[lang]:
        assert phrase in introduction.text
        assert phrase in " ".join(paragraphs_of_html(introduction))
    welcome = shown("welcome", lang, timing, "mentee", PREVIOUS)
    assert welcome.subject == MEET_YOUR_NEW_MENTOR[lang]
    assert TAKES_OVER_WELCOME[lang] in welcome.text
    assert TAKES_OVER_WELCOME[lang] in " ".join(paragraphs_of_html(welcome))
    assert WELCOME_TO[lang] not in welcome.text
    # The timing rules hold for a replacement too.
    if timing == "coming":
        assert WILL_START[lang] in introduction.text
        assert FIRST_DAY_THERE[lang] in welcome.text
    elif timing == "today":
        assert STARTS_TODAY[lang] in introduction.text and THERE_TODAY[lang] in welcome.text
        assert THIS_WEEK[lang] not in introduction.text and THIS_WEEK[lang] not in welcome.text
        assert FIRST_DAY_THERE[lang] not in welcome.text
    else:
        assert THIS_WEEK[lang] in introduction.text and THIS_WEEK[lang] in welcome.text
        assert FIRST_DAY_THERE[lang] not in welcome.text


@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_first_match_names_no_earlier_mentor(lang: str, timing: str) -> None:
    introduction = shown("introduction", lang, timing, "mentor")
    welcome = shown("welcome", lang, timing, "mentee")
    for rendered in (introduction, welcome):
        assert PREVIOUS.lower() not in everything(rendered)
        assert TAKE_OVER_WORDS[lang] not in everything(rendered)


@pytest.mark.parametrize("role", ["mentor", "mentee"])
@pytest.mark.parametrize("touchpoint", CHECK_INS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_colleague_check_in_counts_the_mentoring_a_new_colleague_the_work(
    lang: str, touchpoint: str, role: str
) -> None:
    colleague = shown(touchpoint, lang, "colleague", role)
    assert MENTORING_FOR[lang][touchpoint] in colleague.text
    assert SINCE_THE_START[lang][touchpoint] not in colleague.text
    started = shown(touchpoint, lang, "started", role)
    assert SINCE_THE_START[lang][touchpoint] in started.text
    assert MENTORING_FOR[lang][touchpoint] not in started.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_day_says_today_is_the_day(lang: str) -> None:
    rendered = shown("first_day", lang, "started", "mentor")
    today = {"en": "Today", "nl": "Vandaag", "nb": "I dag"}[lang]
    assert rendered.subject.startswith(today) and MENTEE in rendered.subject
    assert rendered.text.split("\n\n")[1].startswith(f"{today} ")
