"""Written information given to a client: handed over or by link, recorded in the
journal with the guide version (REG-4, REG-8); the link works without login until it
is withdrawn or expires; review-overdue guides warn or block (REG-9)."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.catalogue.actions import DocumentError
from skinchart.clients.models import Client
from skinchart.guides.actions import give_written_information, save_guide_draft
from skinchart.guides.models import GuideLink, GuideVersion, InformationChannel, InformationRecord
from skinchart.journal.db_guards import removed_guards
from skinchart.journal.models import Entry, EntryKind


def move_review_date(version: GuideVersion, *, review_by: dt.date) -> None:
    """Test set-up only: an approved version is read-only in the database, so the
    guards are lifted for the moment it takes to age it."""
    with removed_guards(connection):
        GuideVersion.objects.filter(pk=version.pk).update(
            in_force_from=min(version.in_force_from or review_by, review_by - dt.timedelta(days=1)),
            review_by=review_by,
        )


LINK = re.compile(r'value="http://testserver(/g/[A-Za-z0-9_-]+/)"')


def information_url(client: Client) -> str:
    return reverse("guides:client-information", kwargs={"code": client.code})


def send_link(http: HttpClient, client: Client, version: GuideVersion) -> str:
    response = http.post(information_url(client), {"version": str(version.code), "channel": "link"})
    assert response.status_code == 302
    match = LINK.search(http.get(information_url(client)).content.decode())
    assert match is not None
    return match.group(1)


def test_handing_over_the_guide_is_journaled_with_the_version_and_its_hash(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    http = caring(nurse)
    response = http.post(information_url(client_record), {"version": str(guide_version.code), "channel": "handed_over"})
    assert response.status_code == 302
    record = InformationRecord.objects.get(client=client_record)
    assert (record.kind, record.channel, record.given_by, record.guide_version) == (
        "written",
        InformationChannel.HANDED_OVER,
        nurse,
        guide_version,
    )
    entry = Entry.objects.get(client=client_record, kind=EntryKind.INFORMATION)
    assert entry.is_signed
    assert entry.author == nurse
    assert entry.content["guide_version"] == str(guide_version.code)
    assert entry.content["version_number"] == 1
    assert entry.content["content_hash"] == guide_version.content_hash
    assert "version 1" in entry.text


def test_a_sent_link_shows_the_approved_guide_without_login_and_counts_openings(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    path = send_link(caring(nurse), client_record, guide_version)
    response = HttpClient().get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert guide_version.title["da"] in page
    assert "30.09.2027" in page  # review by, in the document-control footer
    assert response["Referrer-Policy"] == "no-referrer"
    link = GuideLink.objects.get(client=client_record)
    assert link.times_opened == 1
    assert link.first_opened_at is not None
    assert AuditEvent.objects.filter(action="guide.link_opened", client=client_record, outcome="success").count() == 1
    assert InformationRecord.objects.get(client=client_record).channel == InformationChannel.LINK


def test_a_withdrawn_link_stops_working(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    http = caring(nurse)
    path = send_link(http, client_record, guide_version)
    link = GuideLink.objects.get(client=client_record)
    assert http.post(reverse("guides:link-revoke", kwargs={"code": link.code})).status_code == 302
    assert HttpClient().get(path).status_code == 410
    assert HttpClient().get(path + "pdf/").status_code == 410
    assert AuditEvent.objects.filter(action="guide.link_revoked", client=client_record).count() == 1


def test_an_expired_link_and_a_made_up_token_do_not_work(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    path = send_link(caring(nurse), client_record, guide_version)
    GuideLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert HttpClient().get(path).status_code == 410
    assert HttpClient().get("/g/not-a-real-token/").status_code == 410
    assert HttpClient().get("/g/" + "x" * 500 + "/").status_code == 410


def test_the_pdf_names_the_version_and_the_four_dates(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    http = caring(nurse)
    response = http.get(reverse("guides:version-pdf", kwargs={"code": guide_version.code}))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert "Version 1" in text
    assert "Revideret: 01.09.2025" in text
    assert f"I kraft fra: {today}" in text
    assert "Evalueres senest: 30.09.2027" in text
    assert "Godkendt af: " in text
    assert guide_version.approved_by is not None
    assert guide_version.approved_by.get_full_name() in text
    assert "Dyrehavegårdsvej 2" in text  # the clinic's contact block


def test_the_client_link_pdf_is_the_same_document(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    path = send_link(caring(nurse), client_record, guide_version)
    response = HttpClient().get(path + "pdf/")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Evalueres senest: 30.09.2027" in text


@pytest.mark.parametrize("persona", ["cosmetologist", "reception", "admin"])
def test_only_authorised_health_persons_give_information(
    persona: str,
    make_persona: Callable[[str], User],
    client_record: Client,
    guide_version: GuideVersion,
    caring: Callable[[User], HttpClient],
) -> None:
    http = caring(make_persona(persona))
    response = http.post(information_url(client_record), {"version": str(guide_version.code), "channel": "handed_over"})
    assert response.status_code == 403
    assert not InformationRecord.objects.exists()


def test_only_the_version_in_force_can_be_given(
    doctor: User, nurse: User, client_record: Client, guide_version: GuideVersion
) -> None:
    draft = save_guide_draft(
        actor=doctor,
        guide=guide_version.guide,
        title=guide_version.title,
        sections=guide_version.sections,
        revised_on=timezone.localdate(),
    )
    with pytest.raises(DocumentError, match="gældende version"):
        give_written_information(actor=nurse, client=client_record, version=draft, channel="handed_over")
    assert not Entry.objects.filter(kind=EntryKind.INFORMATION).exists()


def test_a_guide_overdue_for_review_is_blocked_by_default(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    http = caring(nurse)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    move_review_date(guide_version, review_by=yesterday)
    page = http.get(information_url(client_record)).content.decode()
    assert 'role="alert">' in page
    assert yesterday.strftime("%d.%m.%Y") in page
    response = http.post(information_url(client_record), {"version": str(guide_version.code), "channel": "handed_over"})
    assert response.status_code == 422
    assert not InformationRecord.objects.exists()
    assert not Entry.objects.filter(kind=EntryKind.INFORMATION).exists()


def test_a_guide_overdue_for_review_only_warns_when_so_configured(
    settings: object,
    nurse: User,
    client_record: Client,
    guide_version: GuideVersion,
    caring: Callable[[User], HttpClient],
) -> None:
    settings.DOCUMENT_REVIEW_OVERDUE = "warn"  # type: ignore[attr-defined]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    move_review_date(guide_version, review_by=yesterday)
    http = caring(nurse)
    assert yesterday.strftime("%d.%m.%Y") in http.get(information_url(client_record)).content.decode()
    response = http.post(information_url(client_record), {"version": str(guide_version.code), "channel": "handed_over"})
    assert response.status_code == 302
    assert InformationRecord.objects.count() == 1


def test_the_dashboard_warns_before_review_and_when_overdue(
    doctor: User, guide_version: GuideVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(doctor)
    assert "badge warn" not in http.get(reverse("system:home")).content.decode()
    soon = timezone.localdate() + dt.timedelta(days=30)
    move_review_date(guide_version, review_by=soon)
    page = http.get(reverse("system:home")).content.decode()
    assert "badge warn" in page
    assert soon.strftime("%d.%m.%Y") in page
    past = timezone.localdate() - dt.timedelta(days=1)
    move_review_date(guide_version, review_by=past)
    page = http.get(reverse("system:home")).content.decode()
    assert "badge danger" in page
    assert past.strftime("%d.%m.%Y") in page


def test_the_link_goes_to_the_client_by_email_through_a_real_smtp_server(
    smtp_server: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
    nurse: User,
    client_record: Client,
    guide_version: GuideVersion,
    caring: Callable[[User], HttpClient],
) -> None:
    client_record.email = "soren@example.org"
    client_record.save(update_fields=["email"])
    http = caring(nurse)
    with django_capture_on_commit_callbacks(execute=True):
        path = send_link(http, client_record, guide_version)
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "soren@example.org"
    body = message.get_content()
    assert f"http://testserver{path}" in body
    # No health details in an unencrypted e-mail (PRODUCT.md §9): no treatment named.
    assert "mesoterapi" not in (str(message["Subject"]) + body).lower()
    assert HttpClient().get(path).status_code == 200


def test_no_mail_is_sent_when_giving_the_information_fails(
    smtp_server: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
    doctor: User,
    nurse: User,
    client_record: Client,
    guide_version: GuideVersion,
    caring: Callable[[User], HttpClient],
) -> None:
    client_record.email = "soren@example.org"
    client_record.save(update_fields=["email"])
    move_review_date(guide_version, review_by=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = caring(nurse).post(
            information_url(client_record), {"version": str(guide_version.code), "channel": "link"}
        )
    assert response.status_code == 422
    assert smtp_server == []
    assert not GuideLink.objects.exists()


def test_the_link_is_shown_once_and_a_reload_sends_nothing_more(
    nurse: User, client_record: Client, guide_version: GuideVersion, caring: Callable[[User], HttpClient]
) -> None:
    http = caring(nurse)
    send_link(http, client_record, guide_version)
    assert LINK.search(http.get(information_url(client_record)).content.decode()) is None
    assert GuideLink.objects.count() == 1
    assert InformationRecord.objects.count() == 1


def test_a_mail_server_that_is_down_loses_nothing(
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
    nurse: User,
    client_record: Client,
    guide_version: GuideVersion,
    caring: Callable[[User], HttpClient],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    client_record.email = "soren@example.org"
    client_record.save(update_fields=["email"])
    http = caring(nurse)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(information_url(client_record), {"version": str(guide_version.code), "channel": "link"})
    assert response.status_code == 302
    page = http.get(information_url(client_record)).content.decode()
    match = LINK.search(page)
    assert match is not None
    assert HttpClient().get(match.group(1)).status_code == 200
    link = GuideLink.objects.get()
    assert link.emailed_at is None
    assert AuditEvent.objects.filter(action="guide.link_emailed", outcome="failure").count() == 1
    assert Entry.objects.filter(client=client_record, kind=EntryKind.INFORMATION).count() == 1
