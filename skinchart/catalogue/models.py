"""Treatments and their controlled, versioned definitions.

A treatment's rules (methods, screening, aftercare, course) are a `DefinitionVersion`:
data loaded from `catalogue/treatments/*.toml`, approved by a doctor, in force from a
date, superseded by the next approved version. Client guides (the `guides` app) share
the same lifecycle through `ControlledVersion`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.accounts.models import TreatmentCategory
from skinchart.catalogue.definition import TreatmentDefinition
from skinchart.lib.dates import start_of_local_day


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Lifecycle(StrEnum):
    """Where an approved version stands on a given day (derived, never stored, so it
    cannot go stale when a date passes)."""

    DRAFT = "draft"
    APPROVED = "approved"  # approved, in force from a later date
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"


LIFECYCLE_LABELS = {
    Lifecycle.DRAFT: _("Draft"),
    Lifecycle.APPROVED: _("Approved, not yet in force"),
    Lifecycle.IN_FORCE: _("In force"),
    Lifecycle.SUPERSEDED: _("Superseded"),
}


class ReviewState(StrEnum):
    OK = "ok"
    DUE = "due"  # within DOCUMENT_REVIEW_WARNING_DAYS of the review-by date
    OVERDUE = "overdue"  # past the review-by date (REG-9)


class ControlledVersionQuerySet(models.QuerySet[Any]):
    def approved(self) -> ControlledVersionQuerySet:
        return self.filter(status=DocumentStatus.APPROVED)

    def in_force_on(self, day: dt.date) -> ControlledVersionQuerySet:
        """Approved versions in force on `day`, the one that applies first: the latest
        in-force date, then the highest number."""
        return (
            self.approved()
            .filter(in_force_from__lte=day, approved_at__lt=start_of_local_day(day, days_later=1))
            .order_by("-in_force_from", "-number")
        )


def in_force_among(versions: Any, day: dt.date) -> Any:
    """`ControlledVersionQuerySet.in_force_on` for versions already in memory (list
    pages prefetch them): the approved version that applies on `day`, or None."""
    end_of_day = start_of_local_day(day, days_later=1)
    candidates = [
        v
        for v in versions
        if v.status == DocumentStatus.APPROVED
        and v.in_force_from is not None
        and v.in_force_from <= day
        and v.approved_at is not None
        and (end_of_day is None or v.approved_at < end_of_day)
    ]
    return max(candidates, key=lambda v: (v.in_force_from, v.number), default=None)


class ControlledVersion(models.Model):
    """One version of a controlled document (REG-9): draft → approved by a doctor →
    in force from a date → superseded. Approved versions are immutable; the database
    refuses to change or delete them (see journal/db_guards.py)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    revised_on = models.DateField(_("revised"))
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    source = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ControlledVersionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DocumentStatus.DRAFT)
                | (
                    Q(approved_by__isnull=False)
                    & Q(approved_at__isnull=False)
                    & Q(in_force_from__isnull=False)
                    & Q(review_by__isnull=False)
                ),
                name="%(app_label)s_%(class)s_approved_complete",
            ),
            models.CheckConstraint(
                condition=Q(review_by__isnull=True)
                | Q(in_force_from__isnull=True)
                | Q(review_by__gt=models.F("in_force_from")),
                name="%(app_label)s_%(class)s_review_after_in_force",
            ),
        ]

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    def lifecycle(self, in_force: ControlledVersion | None, day: dt.date | None = None) -> Lifecycle:
        """`in_force`: the version of the same document in force on `day`."""
        day = day or timezone.localdate()
        if self.is_draft:
            return Lifecycle.DRAFT
        if in_force is not None and in_force.pk == self.pk:
            return Lifecycle.IN_FORCE
        if in_force is None or self.in_force_from is None or self.in_force_from > day:
            return Lifecycle.APPROVED
        return Lifecycle.SUPERSEDED

    def review_state(self, day: dt.date | None = None) -> ReviewState:
        day = day or timezone.localdate()
        if self.review_by is None:
            return ReviewState.OK
        if day > self.review_by:
            return ReviewState.OVERDUE
        if (self.review_by - day).days <= settings.DOCUMENT_REVIEW_WARNING_DAYS:
            return ReviewState.DUE
        return ReviewState.OK

    def approval_problems(self) -> list[str]:
        """What stands in the way of approving this version (empty: nothing)."""
        return []

    def sibling_filter(self) -> dict[str, Any]:
        """The lookup that selects every version of the same document."""
        raise NotImplementedError


class Treatment(models.Model):
    """A treatment the clinic offers. `code` is the definition's key (e.g.
    "mesotherapy"), stable across versions and used in the API."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    category = models.CharField(_("treatment type"), max_length=40, choices=TreatmentCategory.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=TreatmentCategory.values), name="catalogue_treatment_category_valid"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("catalogue:treatment", kwargs={"treatment": self.code})

    def definition_in_force(self, day: dt.date | None = None) -> DefinitionVersion | None:
        result: DefinitionVersion | None = self.definition_versions.in_force_on(day or timezone.localdate()).first()
        return result


class DefinitionVersion(ControlledVersion):
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="definition_versions")
    content = models.JSONField()

    class Meta(ControlledVersion.Meta):
        verbose_name = _("treatment definition version")
        constraints = [
            *ControlledVersion.Meta.constraints,
            models.UniqueConstraint(fields=["treatment", "number"], name="catalogue_definition_unique_number"),
            models.UniqueConstraint(
                fields=["treatment"], condition=Q(status="draft"), name="catalogue_definition_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treatment_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:version", kwargs={"code": self.code})

    def get_diff_url(self) -> str:
        return reverse("catalogue:diff", kwargs={"code": self.code})

    def sibling_filter(self) -> dict[str, Any]:
        return {"treatment_id": self.treatment_id}

    @property
    def definition(self) -> TreatmentDefinition:
        return TreatmentDefinition.model_validate(self.content, context={"stored": True})

    def name(self, language: str) -> str:
        names: dict[str, str] = self.content.get("name", {})
        return names.get("en" if language.startswith("en") else "da", "")
