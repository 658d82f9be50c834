"""The screening (contraindication) engine: a pure function of a treatment definition
version, the client's facts, the health answers and the treatment date.

No database and no request: the same evaluation serves the consultation flow (which
journals it) and the stateless evaluation API (which writes nothing). PRODUCT.md §3:
the worst finding decides; a missing answer is never read as "no"; age is evaluated
on the treatment date, not today (REG-1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from skinchart.catalogue.definition import AnswerType, TreatmentDefinition
from skinchart.lib.dates import age_on


class Outcome(StrEnum):
    """Screening outcomes; `SEVERITY` orders them, worst highest."""

    NOT_ELIGIBLE = "not_eligible"  # must not be treated
    INCOMPLETE = "incomplete"  # a required fact or answer is missing
    DOCTOR_REVIEW = "doctor_review"  # a doctor must assess and sign before treatment
    DISCUSS = "discuss"  # the practitioner discusses it and records it
    ELIGIBLE = "eligible"  # nothing found


SEVERITY: dict[Outcome, int] = {
    Outcome.NOT_ELIGIBLE: 4,
    Outcome.INCOMPLETE: 3,
    Outcome.DOCTOR_REVIEW: 2,
    Outcome.DISCUSS: 1,
    Outcome.ELIGIBLE: 0,
}

DATE_OF_BIRTH = "date_of_birth"
MINIMUM_AGE = "minimum_age"


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The most severe of `outcomes`; `eligible` when there are none."""
    return max(outcomes, key=SEVERITY.__getitem__, default=Outcome.ELIGIBLE)


@dataclass(frozen=True)
class Finding:
    rule: str  # a rule key of the definition, a question key, "date_of_birth" or "minimum_age"
    outcome: Outcome
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "outcome": self.outcome.value, "message": self.message}


@dataclass(frozen=True)
class ScreeningResult:
    outcome: Outcome
    findings: tuple[Finding, ...]
    age_on_treatment_date: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "findings": [finding.to_json() for finding in self.findings],
            "age_on_treatment_date": self.age_on_treatment_date,
        }


def evaluate(
    definition: TreatmentDefinition,
    *,
    method: str | None,
    treatment_date: dt.date,
    answers: Mapping[str, object],
    date_of_birth: dt.date | None = None,
    cpr_birth_date: dt.date | None = None,
    language: str = "da",
) -> ScreeningResult:
    """Screen a client for `definition` on `treatment_date`.

    `method`: one of the definition's method keys, or None for every rule; an unknown
    method raises ValueError. `answers`: question key → answer; a yes/no answer counts
    only when it is exactly True or False, anything else (absent, None, "no", 0) is
    missing. The birth date comes from the CPR number when one is given, else from
    `date_of_birth`; when both are given they must agree.
    """
    if method is not None and definition.method(method) is None:
        known = ", ".join(m.key for m in definition.methods)
        raise ValueError(f"unknown method {method!r} for {definition.code!r}; known: {known}")

    with override(language):
        findings: list[Finding] = []
        age, age_findings = _age(definition, treatment_date, date_of_birth, cpr_birth_date, language)
        findings.extend(age_findings)

        for question in definition.questions:
            if question.answer != AnswerType.YES_NO or not question.required:
                continue
            if not isinstance(answers.get(question.key), bool):
                message = _("Answer missing: %(question)s") % {"question": question.text.get(language)}
                findings.append(Finding(question.key, Outcome.INCOMPLETE, message))

        for rule in definition.screening.rules:
            if rule.methods and method is not None and method not in rule.methods:
                continue
            if answers.get(rule.question) is True:
                findings.append(Finding(rule.key, Outcome(rule.outcome.value), rule.explanation.get(language)))

    # sorted() is stable: within one outcome the order above (age, questions, rules) stays.
    ordered = tuple(sorted(findings, key=lambda finding: -SEVERITY[finding.outcome]))
    return ScreeningResult(
        outcome=worst(finding.outcome for finding in ordered), findings=ordered, age_on_treatment_date=age
    )


def _age(
    definition: TreatmentDefinition,
    treatment_date: dt.date,
    date_of_birth: dt.date | None,
    cpr_birth_date: dt.date | None,
    language: str,
) -> tuple[int | None, list[Finding]]:
    findings: list[Finding] = []
    if cpr_birth_date is not None and date_of_birth is not None and cpr_birth_date != date_of_birth:
        findings.append(
            Finding(
                DATE_OF_BIRTH,
                Outcome.INCOMPLETE,
                _("The date of birth and the date of birth in the CPR number disagree."),
            )
        )
    birth_date = cpr_birth_date if cpr_birth_date is not None else date_of_birth
    if birth_date is None:
        findings.append(Finding(DATE_OF_BIRTH, Outcome.INCOMPLETE, _("The date of birth is missing.")))
        return None, findings
    if birth_date > treatment_date:
        findings.append(Finding(DATE_OF_BIRTH, Outcome.INCOMPLETE, _("The date of birth is after the treatment date.")))
        return None, findings
    age = age_on(birth_date, treatment_date)
    if age < definition.screening.minimum_age:  # REG-1
        findings.append(Finding(MINIMUM_AGE, Outcome.NOT_ELIGIBLE, definition.screening.age_explanation.get(language)))
    return age, findings
