import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategy.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_owner_attaches_a_document_only_the_audience_can_download(
    world, client_as, open_strategy
):
    upload = SimpleUploadedFile("funnel.csv", b"step,users\\ncart,100\\n", content_type="text/csv")
    response = client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[open_strategy.pk]), {"file": upload}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    page = client_as(world.member).get(open_strategy.get_absolute_url()).content.decode()
    assert "funnel.csv" in page
    download = client_as(world.member).get(attachment.get_absolute_url())
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"step,users")
    assert client_as(world.researcher).get(attachment.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("name", "size"), [("evil.html", 10), ("script.js", 10), ("big.pdf", 11 * 1024 * 1024)]
)
def test_unsafe_or_huge_files_are_refused(world, client_as, open_strategy, name, size):
    upload = SimpleUploadedFile(name, b"x" * size)
    response = client_as(world.leader).post(
        reverse("strategy:attachment_add", args=[open_strategy.pk]), {"file": upload}, follow=True
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
