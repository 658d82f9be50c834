"""The screening engine (issue 5, item 2; PRODUCT.md §3; REG-1): worst wins, a missing
answer is never "no", age on the treatment date (18th birthday, 29 February births).

Pure: the shipped mesotherapy definition is read from its TOML file, no database."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from skinchart.catalogue.definition import AnswerType, TreatmentDefinition, parse_definition
from skinchart.consultations.screening import (
    SEVERITY,
    Finding,
    Outcome,
    ScreeningResult,
    evaluate,
    worst,
)
from skinchart.lib.dates import add_years

MAX = hypothesis_settings(max_examples=50, deadline=None)


@cache
def mesotherapy() -> TreatmentDefinition:
    path = Path(settings.CATALOGUE_DIR) / "treatments" / "mesotherapy.toml"
    return parse_definition(tomllib.loads(path.read_text(encoding="utf-8")))


# PRODUCT.md §3, for every rule of the shipped definition.
EXPECTED = {
    "pregnant": Outcome.NOT_ELIGIBLE,
    "breastfeeding": Outcome.NOT_ELIGIBLE,
    "active_skin_infection_in_area": Outcome.NOT_ELIGIBLE,
    "chronic_urticaria": Outcome.NOT_ELIGIBLE,
    "active_herpes_in_area": Outcome.NOT_ELIGIBLE,
    "keloid_tendency": Outcome.DOCTOR_REVIEW,
    "blood_thinners": Outcome.DISCUSS,
    "fish_oil": Outcome.DISCUSS,
    "vitamin_e": Outcome.DISCUSS,
}

TREATMENT_DATE = dt.date(2026, 3, 10)
ADULT = dt.date(1990, 5, 17)


def yes_no_keys() -> list[str]:
    return [q.key for q in mesotherapy().questions if q.answer == AnswerType.YES_NO and q.required]


def all_no() -> dict[str, object]:
    answers: dict[str, object] = dict.fromkeys(yes_no_keys(), False)
    answers.update(medications="", allergies="", skin_diseases="", previous_treatments="")
    return answers


def screen(answers: dict[str, object], **kwargs: object) -> ScreeningResult:
    arguments: dict[str, object] = {"method": None, "treatment_date": TREATMENT_DATE, "date_of_birth": ADULT}
    arguments.update(kwargs)
    return evaluate(mesotherapy(), answers=answers, **arguments)  # type: ignore[arg-type]


# --- Outcomes ------------------------------------------------------------------------------


def test_the_severity_order() -> None:
    order = sorted(Outcome, key=SEVERITY.__getitem__, reverse=True)

    assert order == [
        Outcome.NOT_ELIGIBLE,
        Outcome.INCOMPLETE,
        Outcome.DOCTOR_REVIEW,
        Outcome.DISCUSS,
        Outcome.ELIGIBLE,
    ]
    assert worst([]) == Outcome.ELIGIBLE
    assert worst([Outcome.DISCUSS, Outcome.INCOMPLETE, Outcome.DOCTOR_REVIEW]) == Outcome.INCOMPLETE


def test_the_definition_outcomes_are_screening_outcomes() -> None:
    from skinchart.catalogue.definition import Outcome as RuleOutcome

    assert {o.value for o in RuleOutcome} <= {o.value for o in Outcome}


def test_every_rule_of_the_shipped_definition_is_covered() -> None:
    assert {rule.key for rule in mesotherapy().screening.rules} == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_shipped_rule_gives_its_outcome(key: str) -> None:
    result = screen({**all_no(), key: True}, language="en")

    rule = next(r for r in mesotherapy().screening.rules if r.key == key)
    assert result.outcome == EXPECTED[key]
    assert result.findings == (Finding(key, EXPECTED[key], rule.explanation.en),)


def test_all_no_for_an_adult_is_eligible() -> None:
    result = screen(all_no())

    assert result == ScreeningResult(Outcome.ELIGIBLE, (), 35)
    assert result.to_json() == {"outcome": "eligible", "findings": [], "age_on_treatment_date": 35}


def test_messages_are_danish_by_default_and_english_on_request() -> None:
    danish = screen({**all_no(), "pregnant": True})
    english = screen({**all_no(), "pregnant": True}, language="en")

    assert danish.findings[0].message == "Mesoterapi gives ikke under graviditet."
    assert english.findings[0].message == "Mesotherapy is not given during pregnancy."


def test_findings_are_worst_first_then_in_the_definitions_order() -> None:
    answers = {**all_no(), "vitamin_e": True, "keloid_tendency": True, "fish_oil": True, "pregnant": True}
    del answers["chronic_urticaria"]

    result = screen(answers, date_of_birth=add_years(TREATMENT_DATE, -17))

    assert [(f.rule, f.outcome) for f in result.findings] == [
        ("minimum_age", Outcome.NOT_ELIGIBLE),
        ("pregnant", Outcome.NOT_ELIGIBLE),
        ("chronic_urticaria", Outcome.INCOMPLETE),
        ("keloid_tendency", Outcome.DOCTOR_REVIEW),
        ("fish_oil", Outcome.DISCUSS),
        ("vitamin_e", Outcome.DISCUSS),
    ]
    assert result.to_json()["findings"][0] == {
        "rule": "minimum_age",
        "outcome": "not_eligible",
        "message": mesotherapy().screening.age_explanation.da,
    }


# --- Missing answers -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["absent", None, "no", "false", 0, 1, "", []])
def test_an_answer_that_is_not_a_bool_is_missing(value: object) -> None:
    answers = all_no()
    if value == "absent":
        del answers["blood_thinners"]
    else:
        answers["blood_thinners"] = value

    result = screen(answers, language="en")

    assert result.outcome == Outcome.INCOMPLETE
    assert result.findings == (
        Finding("blood_thinners", Outcome.INCOMPLETE, "Answer missing: Do you take blood-thinning medication?"),
    )


def test_text_answers_are_optional_and_never_produce_findings() -> None:
    answers: dict[str, object] = dict.fromkeys(yes_no_keys(), False)
    assert screen(answers).outcome == Outcome.ELIGIBLE

    answers.update(medications="Marevan", allergies="penicillin", skin_diseases="rosacea", previous_treatments="filler")
    assert screen(answers).outcome == Outcome.ELIGIBLE


def test_no_answers_at_all_is_incomplete_for_every_required_question() -> None:
    result = screen({})

    assert result.outcome == Outcome.INCOMPLETE
    assert [f.rule for f in result.findings] == yes_no_keys()


# --- Date of birth -------------------------------------------------------------------------


def test_a_missing_date_of_birth_is_incomplete() -> None:
    result = screen(all_no(), date_of_birth=None, language="en")

    assert result == ScreeningResult(
        Outcome.INCOMPLETE, (Finding("date_of_birth", Outcome.INCOMPLETE, "The date of birth is missing."),), None
    )


def test_the_cpr_birth_date_is_used_when_given() -> None:
    result = screen(all_no(), date_of_birth=None, cpr_birth_date=dt.date(2010, 1, 1))

    assert result.outcome == Outcome.NOT_ELIGIBLE
    assert result.age_on_treatment_date == 16


def test_cpr_and_date_of_birth_disagreeing_is_incomplete() -> None:
    result = screen(all_no(), date_of_birth=ADULT, cpr_birth_date=dt.date(1990, 5, 18), language="en")

    assert result.outcome == Outcome.INCOMPLETE
    assert [(f.rule, f.outcome) for f in result.findings] == [("date_of_birth", Outcome.INCOMPLETE)]
    assert "disagree" in result.findings[0].message
    assert result.age_on_treatment_date == 35  # from the CPR number


def test_cpr_and_date_of_birth_agreeing_is_fine() -> None:
    assert screen(all_no(), date_of_birth=ADULT, cpr_birth_date=ADULT).outcome == Outcome.ELIGIBLE


def test_a_birth_after_the_treatment_date_is_incomplete() -> None:
    result = screen(all_no(), date_of_birth=TREATMENT_DATE + dt.timedelta(days=1))

    assert result.outcome == Outcome.INCOMPLETE
    assert [f.rule for f in result.findings] == ["date_of_birth"]
    assert result.age_on_treatment_date is None


# --- Methods -------------------------------------------------------------------------------


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        screen(all_no(), method="laser")


@pytest.mark.parametrize("method", [None, "microneedling", "microinjection"])
def test_rules_for_every_method_apply_to_each_method(method: str | None) -> None:
    assert screen({**all_no(), "pregnant": True}, method=method).outcome == Outcome.NOT_ELIGIBLE


def test_a_rule_limited_to_one_method_applies_only_to_it() -> None:
    data = mesotherapy().model_dump(mode="json", by_alias=True)
    for rule in data["screening"]["rules"]:
        if rule["key"] == "keloid_tendency":
            rule["methods"] = ["microinjection"]
    definition = parse_definition(data)
    answers = {**all_no(), "keloid_tendency": True}

    def outcome(method: str | None) -> Outcome:
        return evaluate(
            definition, method=method, treatment_date=TREATMENT_DATE, answers=answers, date_of_birth=ADULT
        ).outcome

    assert outcome("microinjection") == Outcome.DOCTOR_REVIEW
    assert outcome(None) == Outcome.DOCTOR_REVIEW
    assert outcome("microneedling") == Outcome.ELIGIBLE


# --- Properties ----------------------------------------------------------------------------

rule_keys = sorted(EXPECTED)


@MAX
@given(yes=st.sets(st.sampled_from(rule_keys)), method=st.sampled_from([None, "microneedling", "microinjection"]))
def test_worst_wins(yes: set[str], method: str | None) -> None:
    result = screen({**all_no(), **dict.fromkeys(yes, True)}, method=method)

    assert result.outcome == worst(EXPECTED[key] for key in yes)
    assert {f.rule for f in result.findings} == yes
    severities = [SEVERITY[f.outcome] for f in result.findings]
    assert severities == sorted(severities, reverse=True)


@MAX
@given(
    answers=st.dictionaries(
        st.sampled_from(yes_no_keys()),
        st.one_of(st.booleans(), st.none(), st.text(max_size=3), st.integers(0, 1)),
    ),
    missing=st.sets(st.sampled_from(yes_no_keys()), min_size=1),
    birth=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), TREATMENT_DATE)),
)
def test_a_missing_answer_is_never_read_as_no(
    answers: dict[str, object], missing: set[str], birth: dt.date | None
) -> None:
    for key in missing:
        answers.pop(key, None)
        if len(key) % 2:
            answers[key] = None

    result = screen(answers, date_of_birth=birth)

    assert result.outcome in {Outcome.INCOMPLETE, Outcome.NOT_ELIGIBLE}
    incomplete = {f.rule for f in result.findings if f.outcome == Outcome.INCOMPLETE}
    assert missing <= incomplete


@MAX
@given(birth=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_the_18th_birthday_boundary(birth: dt.date) -> None:
    birthday = add_years(birth, 18)

    day_before = screen(all_no(), date_of_birth=birth, treatment_date=birthday - dt.timedelta(days=1))
    on_the_day = screen(all_no(), date_of_birth=birth, treatment_date=birthday)

    assert day_before.outcome == Outcome.NOT_ELIGIBLE
    assert [f.rule for f in day_before.findings] == ["minimum_age"]
    assert day_before.age_on_treatment_date == 17
    assert on_the_day.outcome == Outcome.ELIGIBLE
    assert on_the_day.age_on_treatment_date == 18


leap_days = st.integers(1904, 2096).filter(lambda y: y % 4 == 0 and (y + 18) % 4 != 0).map(lambda y: dt.date(y, 2, 29))


@MAX
@given(birth=leap_days)
def test_born_on_29_february_turns_18_on_1_march_in_a_common_year(birth: dt.date) -> None:
    year = birth.year + 18

    on_28_february = screen(all_no(), date_of_birth=birth, treatment_date=dt.date(year, 2, 28))
    on_1_march = screen(all_no(), date_of_birth=birth, treatment_date=dt.date(year, 3, 1))

    assert on_28_february.outcome == Outcome.NOT_ELIGIBLE
    assert [f.rule for f in on_28_february.findings] == ["minimum_age"]
    assert on_1_march.outcome == Outcome.ELIGIBLE
    assert on_1_march.age_on_treatment_date == 18


@MAX
@given(
    birth=st.dates(dt.date(1950, 1, 1), dt.date(2010, 12, 31)),
    other=st.dates(dt.date(1950, 1, 1), dt.date(2010, 12, 31)),
)
def test_cpr_and_entered_birth_dates_are_cross_checked(birth: dt.date, other: dt.date) -> None:
    result = screen(all_no(), date_of_birth=other, cpr_birth_date=birth)

    disagreement = [f for f in result.findings if f.rule == "date_of_birth"]
    assert bool(disagreement) == (birth != other)
    if birth != other:
        assert result.outcome in {Outcome.INCOMPLETE, Outcome.NOT_ELIGIBLE}
    under_age = add_years(birth, 18) > TREATMENT_DATE
    assert any(f.rule == "minimum_age" for f in result.findings) == under_age
