"""What the dashboard warns about in the catalogue: review dates coming up or passed
(REG-9), treatments with nothing in force, drafts waiting for a doctor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.accounts.permissions import Capability, user_can
from skinchart.catalogue.models import DefinitionVersion, ReviewState, Treatment, in_force_among
from skinchart.guides.models import GuideVersion
from skinchart.lib.dates import format_date


@dataclass(frozen=True)
class Alert:
    level: str  # "error", "warn" or "info"
    message: str
    url: str


def document_alerts(user: Any, day: dt.date | None = None) -> list[Alert]:
    """In a fixed number of queries, whatever the number of treatments."""
    if not user_can(user, Capability.VIEW_DOCUMENTS):
        return []
    day = day or timezone.localdate()
    approver = user_can(user, Capability.APPROVE_DOCUMENTS)
    treatments = Treatment.objects.prefetch_related(
        Prefetch("definition_versions", queryset=DefinitionVersion.objects.defer("content")),
        "guide",
        Prefetch("guide__versions", queryset=GuideVersion.objects.defer("sections")),
    )
    alerts: list[Alert] = []
    for treatment in treatments:
        guide = getattr(treatment, "guide", None)
        documents: list[tuple[str, list[Any], str]] = [
            (_("treatment definition"), list(treatment.definition_versions.all()), treatment.get_absolute_url())
        ]
        if guide is not None:
            documents.append((_("client guide"), list(guide.versions.all()), guide.get_absolute_url()))
        for kind, versions, url in documents:
            alerts.extend(_alerts_for(treatment.code, kind, versions, url, day, approver))
    order = {"error": 0, "warn": 1, "info": 2}
    return sorted(alerts, key=lambda a: order[a.level])


def _alerts_for(code: str, kind: str, versions: list[Any], url: str, day: dt.date, approver: bool) -> list[Alert]:
    alerts = []
    names = {"treatment": code, "kind": kind}
    in_force = in_force_among(versions, day)
    if in_force is None:
        alerts.append(Alert("error", _("%(treatment)s: no %(kind)s is in force.") % names, url))
    else:
        state = in_force.review_state(day)
        names |= {"number": in_force.number, "date": format_date(in_force.review_by)}
        if state == ReviewState.OVERDUE:
            alerts.append(
                Alert(
                    "error",
                    _("%(treatment)s: %(kind)s version %(number)s is overdue for review (review by %(date)s).") % names,
                    in_force.get_absolute_url(),
                )
            )
        elif state == ReviewState.DUE:
            alerts.append(
                Alert(
                    "warn",
                    _("%(treatment)s: %(kind)s version %(number)s is due for review by %(date)s.") % names,
                    in_force.get_absolute_url(),
                )
            )
    draft = next((v for v in versions if v.is_draft), None)
    if draft is not None and approver:
        names |= {"number": draft.number}
        alerts.append(
            Alert(
                "info",
                _("%(treatment)s: %(kind)s draft %(number)s awaits your approval.") % names,
                draft.get_absolute_url(),
            )
        )
    return alerts
