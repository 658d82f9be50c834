"""Editing, approving and comparing guide versions over HTTP: a new draft never touches
the approved text; only a doctor who has just re-entered password and code approves;
a version missing a required section cannot be approved (REG-5, REG-9)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.guides.models import GuideVersion


def edit_form_data(version: GuideVersion, **changes: str) -> dict[str, str]:
    data = {
        "title_da": version.title["da"],
        "title_en": version.title["en"],
        "revised_on": timezone.localdate().strftime("%d.%m.%Y"),
    }
    for section in version.sections:
        for part in ("heading", "body"):
            for lang in ("da", "en"):
                data[f"{section['key']}__{part}_{lang}"] = section[part][lang]
    data.update(changes)
    return data


def approval_data(version: GuideVersion) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "in_force_from": today.strftime("%d.%m.%Y"),
        "review_by": today.replace(year=today.year + 2).strftime("%d.%m.%Y"),
        "content_hash": version.content_hash,
        "confirm": "on",
    }


def make_draft(http: HttpClient, version: GuideVersion, **changes: str) -> GuideVersion:
    response = http.post(
        reverse("guides:edit", kwargs={"code": version.guide.code}), edit_form_data(version, **changes)
    )
    assert response.status_code == 302
    return GuideVersion.objects.get(guide=version.guide, status="draft")


def test_editing_makes_a_new_draft_and_leaves_the_approved_text_alone(
    admin_user: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    before = (guide_version.title, guide_version.sections, guide_version.content_hash)
    draft = make_draft(sign_in(admin_user), guide_version, about__body_da="Helt ny indledning om mesoterapi.")
    assert draft.number == 2
    assert draft.content_hash != guide_version.content_hash
    guide_version.refresh_from_db()
    assert (guide_version.title, guide_version.sections, guide_version.content_hash) == before


def test_the_diff_shows_what_changed(
    admin_user: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(admin_user)
    draft = make_draft(http, guide_version, about__body_da="Helt ny indledning om mesoterapi.")
    page = http.get(reverse("guides:diff", kwargs={"code": draft.code})).content.decode()
    assert "<ins>Helt ny indledning om mesoterapi.</ins>" in page
    assert "<del>" in page


def test_a_doctor_approves_after_reauthentication(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(doctor)
    draft = make_draft(http, guide_version, about__body_da="Ny tekst.")
    session = http.session
    session["reauth_at"] = time.time() - 3600
    session.save()
    url = reverse("guides:approve", kwargs={"code": draft.code})
    response = http.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert http.post(url, approval_data(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.is_draft
    session = http.session
    session["reauth_at"] = time.time()
    session.save()
    response = http.post(url, approval_data(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved"
    assert draft.approved_by == doctor


def test_a_nurse_cannot_approve(
    doctor: User, nurse: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    draft = make_draft(sign_in(doctor), guide_version, about__body_da="Ny tekst.")
    response = sign_in(nurse).post(reverse("guides:approve", kwargs={"code": draft.code}), approval_data(draft))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_version_without_late_effects_cannot_be_approved(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(doctor)
    draft = make_draft(http, guide_version, late_effects__body_da="", late_effects__body_en="")
    url = reverse("guides:approve", kwargs={"code": draft.code})
    page = http.get(url)
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()
    response = http.post(url, approval_data(draft))
    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.is_draft


def test_drafts_are_for_editors_and_approvers_only(
    doctor: User, nurse: User, admin_user: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    draft = make_draft(sign_in(doctor), guide_version, about__body_da="Ny tekst.")
    url = reverse("guides:version", kwargs={"code": draft.code})
    assert sign_in(nurse).get(url).status_code == 404
    assert sign_in(admin_user).get(url).status_code == 200
    assert sign_in(nurse).get(reverse("guides:version", kwargs={"code": guide_version.code})).status_code == 200


def test_the_catalogue_page_lists_in_force_and_draft_versions(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient], django_assert_max_num_queries: Any
) -> None:
    http = sign_in(doctor)
    make_draft(http, guide_version, about__body_da="Ny tekst.")
    with django_assert_max_num_queries(20):
        page = http.get(reverse("catalogue:list")).content.decode()
    assert guide_version.get_absolute_url() in page
    assert GuideVersion.objects.get(status="draft").get_absolute_url() in page


def test_a_draft_changed_after_it_was_read_is_not_approved(
    doctor: User, admin_user: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(doctor)
    draft = make_draft(http, guide_version, about__body_da="Den tekst lægen læste.")
    read = approval_data(draft)
    make_draft(sign_in(admin_user), draft, about__body_da="En anden tekst, skrevet bagefter.")
    response = http.post(reverse("guides:approve", kwargs={"code": draft.code}), read)
    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.is_draft


def test_reloading_the_files_after_an_edit_in_skinchart_changes_nothing(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(doctor)
    draft = make_draft(http, guide_version, about__body_da="Skrevet i Skinchart.")
    call_command("load_catalogue", stdout=io.StringIO())
    draft.refresh_from_db()
    assert "Skrevet i Skinchart." in str(draft.sections)
    assert GuideVersion.objects.count() == 2
    http.post(reverse("guides:approve", kwargs={"code": draft.code}), approval_data(draft))
    call_command("load_catalogue", stdout=io.StringIO())
    assert GuideVersion.objects.count() == 2


def test_a_changed_file_never_overwrites_a_draft_written_in_skinchart(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient], tmp_path: Path
) -> None:
    make_draft(sign_in(doctor), guide_version, about__body_da="Skrevet i Skinchart.")
    changed = tmp_path / "guide.toml"
    source = (Path(settings.CATALOGUE_DIR) / "guides" / "mesotherapy.toml").read_text(encoding="utf-8")
    changed.write_text(source.replace("Hvad er mesoterapi?", "Hvad er mesoterapi egentlig?"), encoding="utf-8")
    with pytest.raises(CommandError, match="edited in Skinchart"):
        call_command("load_catalogue", str(changed), stdout=io.StringIO())
    assert "Skrevet i Skinchart." in str(GuideVersion.objects.get(status="draft").sections)
