"""Client guides (klientvejledninger): controlled documents per treatment, the links
that show one to a client, and the record of which version each client was given."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.models import ControlledVersion
from skinchart.lib.canonical import canonical_json

# REG-5 (BEK 834/2014 § 29 stk. 2) and PRODUCT.md §4: the written information must
# cover these; a version lacking any of them cannot be approved.
REQUIRED_SECTIONS: dict[str, Any] = {
    "expected_results": _("Expected results"),
    "complications": _("Complications, their frequency and treatment"),
    "late_effects": _("Late effects"),
    "contact": _("Contact"),
}
LANGUAGES = ("da", "en")


def guide_content_hash(title: dict[str, str], sections: list[dict[str, Any]]) -> str:
    """SHA-256 of exactly the text a client is shown (REG-8: consents point to it)."""
    return hashlib.sha256(canonical_json({"title": title, "sections": sections})).hexdigest()


class Guide(models.Model):
    """The client guide of one treatment; its text lives in versions."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    treatment = models.OneToOneField("catalogue.Treatment", on_delete=models.PROTECT, related_name="guide")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["treatment__code"]

    def __str__(self) -> str:
        return f"guide {self.treatment_id}"

    def get_absolute_url(self) -> str:
        return reverse("guides:detail", kwargs={"code": self.code})


class GuideVersion(ControlledVersion):
    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="versions")
    # {"da": "...", "en": "..."}
    title = models.JSONField()
    # [{"key": "...", "heading": {"da": ..., "en": ...}, "body": {"da": ..., "en": ...}}, ...]
    sections = models.JSONField()

    class Meta(ControlledVersion.Meta):
        verbose_name = _("client guide version")
        constraints = [
            *ControlledVersion.Meta.constraints,
            models.UniqueConstraint(fields=["guide", "number"], name="guides_version_unique_number"),
            models.UniqueConstraint(fields=["guide"], condition=Q(status="draft"), name="guides_version_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.guide_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("guides:version", kwargs={"code": self.code})

    def get_diff_url(self) -> str:
        return reverse("guides:diff", kwargs={"code": self.code})

    def sibling_filter(self) -> dict[str, Any]:
        return {"guide_id": self.guide_id}

    def title_in(self, language: str) -> str:
        title: dict[str, str] = self.title
        return title.get(pick_language(language, self.languages()), "")

    def languages(self) -> list[str]:
        """The languages this version is written in (Danish always)."""
        return [lang for lang in LANGUAGES if self.title.get(lang) and all(s["body"].get(lang) for s in self.sections)]

    def sections_in(self, language: str) -> list[dict[str, str]]:
        lang = pick_language(language, self.languages())
        return [
            {"key": s["key"], "heading": s["heading"].get(lang, ""), "body": s["body"].get(lang, "")}
            for s in self.sections
        ]

    def approval_problems(self) -> list[str]:
        problems = []
        present = {s["key"]: s for s in self.sections}
        for key, label in REQUIRED_SECTIONS.items():
            section = present.get(key)
            if section is None or not section["body"].get("da", "").strip():
                problems.append(gettext("The section “%(section)s” is missing or empty.") % {"section": label})
        if not self.title.get("da", "").strip():
            problems.append(gettext("The guide needs a Danish title."))
        for lang in LANGUAGES:
            written = [s for s in self.sections if s["body"].get(lang, "").strip()]
            if lang != "da" and written and len(written) != len(self.sections):
                problems.append(gettext("The English text is incomplete: write every section in English, or none."))
        return problems


def pick_language(wanted: str, available: list[str]) -> str:
    lang = "en" if wanted.startswith("en") else "da"
    return lang if lang in available else "da"


class InformationKind(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral")


class InformationChannel(models.TextChoices):
    HANDED_OVER = "handed_over", _("Handed over on paper")
    LINK = "link", _("Sent by link")
    PORTAL = "portal", _("Read in the portal")
    IN_PERSON = "in_person", _("In person")


class InformationRecordQuerySet(models.QuerySet["InformationRecord"]):
    def effective_written(self) -> InformationRecordQuerySet:
        """Written information the client demonstrably had: handed over, read in the
        portal, or a link the client opened (a link merely sent does not count)."""
        return self.filter(kind=InformationKind.WRITTEN).filter(
            Q(channel__in=[InformationChannel.HANDED_OVER, InformationChannel.PORTAL])
            | Q(link__first_opened_at__isnull=False)
        )


class InformationRecord(models.Model):
    """A client was given information of a guide version (REG-4, REG-8): which
    version, when, how, by whom. Mirrored by a signed journal entry."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="information_records")
    kind = models.CharField(_("kind"), max_length=10, choices=InformationKind.choices)
    channel = models.CharField(_("how"), max_length=20, choices=InformationChannel.choices)
    guide_version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="information_records")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    link = models.ForeignKey("GuideLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = InformationRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["client", "-given_at"], name="guides_info_client_time")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InformationKind.values), name="guides_info_kind_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=InformationChannel.values), name="guides_info_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} information {self.guide_version_id} → {self.client_id}"


class GuideLink(models.Model):
    """An unguessable, revocable link that shows one guide version to one client
    without a login. Only the SHA-256 of the token is stored; the link is shown once."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guide_version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="links")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="guide_links")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=5, default="da")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    times_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"guide link {self.code}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
