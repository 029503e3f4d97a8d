"""URLs reversed once per process equal what reverse() gives, under any script prefix."""

from django.urls import reverse, set_script_prefix

from productops.reversing import cached_reverse, url_with_id


def test_cached_urls_equal_reverse_and_follow_the_script_prefix():
    for pk in (1, 42, 987654321):
        assert url_with_id("telemetry:event_detail")(pk) == reverse(
            "telemetry:event_detail", args=[pk]
        )
    assert cached_reverse("telemetry:index") == reverse("telemetry:index")
    try:
        set_script_prefix("/portal/")
        assert cached_reverse("home") == "/portal/"
        assert url_with_id("research:participant_detail")(7) == reverse(
            "research:participant_detail", args=[7]
        )
        assert url_with_id("research:participant_detail")(7).startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert cached_reverse("home") == "/"
