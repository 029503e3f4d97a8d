import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategy import services
from strategy.models import Attachment
from tests.strategy.conftest import open_window, reveal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_owner_attaches_a_document_only_the_audience_can_download(world, client_as, draft):
    upload = SimpleUploadedFile("funnel.csv", b"step,users\\ncart,100\\n", content_type="text/csv")
    response = client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[draft.pk]), {"file": upload}
    )
    assert response.status_code == 302
    open_window(draft, world)
    attachment = Attachment.objects.get()
    assert attachment.version.number == 1
    page = client_as(world.member).get(draft.get_absolute_url()).content.decode()
    assert "funnel.csv" in page
    download = client_as(world.member).get(attachment.get_absolute_url())
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"step,users")
    assert client_as(world.researcher).get(attachment.get_absolute_url()).status_code == 404


def test_attachments_are_refused_while_the_window_is_open(world, client_as, open_strategy):
    upload = SimpleUploadedFile("late.csv", b"a,b\\n")
    response = client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[open_strategy.pk]), {"file": upload}, follow=True
    )
    assert "cannot change while the feedback window is open" in response.content.decode()
    assert not Attachment.objects.exists()
    edit = client_as(world.leader).get(reverse("strategy:edit", args=[open_strategy.pk]))
    assert 'data-testid="attachments-frozen"' in edit.content.decode()


def test_after_the_reveal_an_attachment_waits_for_the_next_version_and_its_notice(
    world, client_as, open_strategy
):
    from productops.accounts.models import Notification
    from strategy import tasks

    reveal(open_strategy)
    upload = SimpleUploadedFile("pilot-results.pdf", b"%PDF-1.4 results")
    client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[open_strategy.pk]), {"file": upload}
    )
    attachment = Attachment.objects.get()
    assert attachment.version is None
    # Readers neither see nor fetch it before it is published.
    page = client_as(world.member).get(open_strategy.get_absolute_url()).content.decode()
    assert "pilot-results.pdf" not in page
    assert client_as(world.member).get(attachment.get_absolute_url()).status_code == 404
    assert (
        "pilot-results.pdf"
        in client_as(world.leader).get(open_strategy.get_absolute_url()).content.decode()
    )
    version = services.version_publish(
        strategy=open_strategy, by=world.leader, change_summary="Pilot results attached."
    )
    tasks.notify_version_published(version.pk)
    attachment.refresh_from_db()
    assert attachment.version == version
    assert client_as(world.member).get(attachment.get_absolute_url()).status_code == 200
    page = client_as(world.member).get(open_strategy.get_absolute_url()).content.decode()
    assert 'data-testid="attachment">pilot-results.pdf</a>' in page and ", version 2)" in page
    note = Notification.objects.get(recipient=world.member, key__endswith=":version:2")
    assert "New attachments: pilot-results.pdf." in note.body


@pytest.mark.parametrize(
    ("name", "size"), [("evil.html", 10), ("script.js", 10), ("big.pdf", 11 * 1024 * 1024)]
)
def test_unsafe_or_huge_files_are_refused(world, client_as, draft, name, size):
    upload = SimpleUploadedFile(name, b"x" * size)
    response = client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[draft.pk]), {"file": upload}, follow=True
    )
    assert (
        "limit is 10 MB" in response.content.decode()
        or "Attach one of" in response.content.decode()
    )
    assert not Attachment.objects.exists()


def test_members_cannot_attach(world, client_as, open_strategy):
    upload = SimpleUploadedFile("notes.txt", b"hello")
    assert (
        client_as(world.member)
        .post(reverse("strategy:attachment_add", args=[open_strategy.pk]), {"file": upload})
        .status_code
        == 403
    )
    assert not Attachment.objects.exists()
