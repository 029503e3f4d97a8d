from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from productops import page_cache
from productops.accounts.models import User
from strategy import (
    access,
    anchors,
    feedback,
    forms,
    phases,
    relations,
    rendering,
    second_round,
    services,
    voting,
)
from strategy.models import (
    Point,
    ReadConfirmation,
    ReadReceipt,
    Strategy,
    Version,
    Vote,
)


def form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(
                field if field in form.fields else None, [m for e in errors for m in e.messages]
            )
    else:
        form.add_error(None, exc.messages)


def version_for(strategy: Strategy, number=None) -> Version | None:
    """One version with its body deferred: pages render the stored sections, never the whole body."""
    versions = strategy.versions.defer("body")
    if number:
        try:
            return versions.get(number=int(number))
        except (Version.DoesNotExist, ValueError) as exc:
            raise Http404("No such version.") from exc
    return versions.order_by("-number").first()


def phase_steps_for(strategy: Strategy) -> list[tuple[str, str, bool]]:
    current = phases.ORDER.index(strategy.phase)
    # A strategy may go straight from discussion to final; a skipped decision phase is not "done".
    return [
        (
            p,
            phases.LABELS[p],
            i <= current and not (p == phases.DECISION and not strategy.decided_at),
        )
        for i, p in enumerate(phases.ORDER)
    ]


def visibility_note(strategy: Strategy) -> str:
    if strategy.phase == phases.FEEDBACK:
        return (
            "While the window is open you see only your own feedback, clarifying questions with their answers, "
            "and counts per section and type. Nobody — not the owner, leadership or admins — reads anyone's feedback "
            "before the window closes; then everything is revealed to the audience and leadership at once."
        )
    if strategy.is_revealed:
        return (
            "All feedback is visible to the audience teams, leadership, the owner and delegates. Named points show their "
            "author; team points show the team. Anonymous points show only the team, and only if at least "
            f"{feedback.ANONYMITY_THRESHOLD} of that team's people had answered when the window closed; "
            "smaller teams' anonymous points are shown together as “across teams” once at least "
            f"{feedback.ANONYMITY_THRESHOLD} people from those teams had answered. "
            "Vote tallies stay hidden from everyone until voting closes; until then you see only your own dots."
        )
    return "Only the owner and delegates see a draft."


ANON_NOTE = (
    "Anonymous means no one can see it is yours: not the owner, leadership or ProductOps admins. The point stores "
    "no author; only you can find it again (signed in, on this strategy) to follow its answer or withdraw it while "
    "the window is open. It shows your team's name only if at least "
    f"{feedback.ANONYMITY_THRESHOLD} people from your team have answered when the window closes; otherwise it is "
    "shown with other small teams' points as “across teams”, once that group has "
    f"{feedback.ANONYMITY_THRESHOLD} voices."
)


@login_required
@page_cache.per_person
def index(request):
    user = request.user
    strategies = list(
        Strategy.objects.visible_to(user)
        .select_related("owner")
        # What the rows show, not the strategies' texts (each part may run to 40,000 characters).
        .only(
            "title",
            "phase",
            "owner",
            "updated_at",
            "feedback_closes_at",
            *User.name_columns("owner"),
        )
        .annotate(answered=relations.has_answered(user), in_audience=relations.is_audience(user))
        .order_by("-updated_at")
    )
    needs = [
        s
        for s in strategies
        if s.phase == phases.FEEDBACK and s.in_audience and not s.answered and s.owner_id != user.pk
    ]
    mine = [s for s in strategies if s.owner_id == user.pk]
    others = [s for s in strategies if s not in needs and s not in mine]
    return render(
        request,
        "strategy/index.html",
        {
            "needs": needs,
            "mine": mine,
            "others": others,
            "can_create": user.is_leadership or user.is_productops_admin,
        },
    )


@login_required
def attachment(request, pk, attachment_pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    item = get_object_or_404(services.attachments_visible_to(strategy, viewer), pk=attachment_pk)
    # Always a download, never rendered inline: an uploaded file must not run in our origin.
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachments(strategy, viewer, versions) -> list:
    """Each with its version taken from the page's list, rather than joined in again."""
    by_pk = {v.pk: v for v in versions}
    items = list(services.attachments_visible_to(strategy, viewer).select_related(None))
    for item in items:
        if item.version_id in by_pk:
            item.version = by_pk[item.version_id]
    return items


def _detail_context(request, strategy, viewer, version, versions, read_keys):
    user = request.user
    # By position alone: the model's default order goes through the version and the strategy (two joins).
    secs = list(version.sections.order_by("position")) if version else []
    counts = feedback.section_counts(strategy) if strategy.phase != phases.DRAFT else {}
    visible = feedback.points_visible_to(strategy, user, viewer)
    # The counts cover every point this person may see (clarifying questions are never anonymous,
    # so never withheld): a type counted zero needs no query.
    counted = {t for c in counts.values() for t, n in c.items() if n}
    clarifications = (
        list(
            visible.filter(is_clarifying=True)
            .select_related("author", "team")
            .prefetch_related("replies__author")[:30]
        )
        if Point.Type.QUESTION in counted
        else []
    )
    # During the window alternatives are only counted, so there is nothing to fetch.
    # Ranked by votes only once voting has closed; before that the order would be the tally.
    show_tallies = strategy.tallies_visible()
    alternatives = (
        list(
            visible.filter(type=Point.Type.ALTERNATIVE)
            .select_related("team", "author", "disposition")
            .order_by(*(("-vote_count", "public_id") if show_tallies else ("public_id",)))[:12]
        )
        if strategy.is_revealed and Point.Type.ALTERNATIVE in counted
        else []
    )
    if alternatives:
        feedback.label_voices(alternatives, feedback.floor_for(strategy))
    # Their own points, anonymous ones too (found by receipt), with what became of them.
    mine = (
        feedback.my_points(strategy, user)
        if strategy.phase != phases.DRAFT and viewer.is_audience and not viewer.speaks_last
        else []
    )
    round_results = second_round.results(strategy) if strategy.is_revealed else None
    if mine:
        # A passage their point quoted changed in a later version: ask whether it still applies.
        pending = anchors.pending_for(mine)
        due = second_round.awaiting_me(round_results and round_results["round"], mine)
        for point in mine:
            point.anchor_check = pending.get(point.pk)
            point.verdict_due = point.pk in due

    def label(kind, n):
        word = Point.Type(kind).label.lower()
        return word if n == 1 or kind == Point.Type.SUPPORT else word + "s"

    for s in secs:
        c = counts.get(s.key, {})
        s.count_total = sum(c.values())
        s.count_items = [(label(t, c[t]), c[t]) for t in Point.Type.values if c.get(t)]
        s.is_read = s.key in read_keys
    whole = counts.get("", {})
    alt_count = sum(c.get(Point.Type.ALTERNATIVE, 0) for c in counts.values())
    can_feedback, feedback_reason = phases.can_give_feedback(
        strategy.phase, viewer, strategy.window_open()
    )
    # The page shows the confirmation only to someone who may give feedback now.
    confirmation = (
        ReadConfirmation.objects.filter(strategy=strategy, user=user).first()
        if can_feedback
        else None
    )
    return {
        "strategy": strategy,
        "viewer": viewer,
        "version": version,
        "versions": versions,
        "sections": secs,
        "read_count": sum(1 for s in secs if s.is_read),
        "whole_counts": [(label(t, whole[t]), whole[t]) for t in Point.Type.values if whole.get(t)],
        "total_points": sum(sum(c.values()) for c in counts.values()),
        "alt_count": alt_count,
        "clarifications": clarifications,
        "alternatives": alternatives,
        "show_tallies": show_tallies,
        "mine": mine,
        "second_round": round_results,
        "window_open": strategy.window_open(),
        "confirmation": confirmation,
        "attachments": _attachments(strategy, viewer, versions),
        "can_feedback": can_feedback,
        "feedback_reason": feedback_reason,
        "visibility_note": visibility_note(strategy),
        "phase_steps": phase_steps_for(strategy),
        # Shown only to someone who may give feedback and has not confirmed yet.
        "confirm_form": forms.ReadConfirmationForm() if can_feedback and not confirmation else None,
        "draft_preview": rendering.render(services.compose_markdown(strategy))
        if version is None
        else "",
        "missing": strategy.missing_parts() if version is None else [],
    }


@login_required
@page_cache.per_person
def detail(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    # By number alone: the model's default order joins the strategy to sort by it.
    versions = list(strategy.versions.defer("body").order_by("number"))
    wanted = request.GET.get("v")
    if wanted:
        version = next((v for v in versions if str(v.number) == wanted), None)
        if version is None:
            raise Http404("No such version.")
    else:
        version = versions[-1] if versions else None
    # One query tells both how far I read this version and which version I read last,
    # worked out before this visit counts as reading.
    # By the versions' ids, already at hand: no join, and no query at all for a draft.
    numbers = {v.pk: v.number for v in versions}
    receipts = (
        [
            (numbers[version_id], key)
            for version_id, key in ReadReceipt.objects.filter(
                user=request.user, version_id__in=numbers
            ).values_list("version_id", "section_key")
        ]
        if numbers
        else []
    )
    read_keys = {key for number, key in receipts if version and number == version.number}
    last_read_number = max((number for number, _ in receipts), default=None)
    # Only the first visit writes; a reload is a read, not an INSERT and a commit.
    if version and "" not in read_keys:
        ReadReceipt.objects.bulk_create(
            [ReadReceipt(user=request.user, version=version, section_key="")], ignore_conflicts=True
        )
    context = _detail_context(request, strategy, viewer, version, versions, read_keys)
    context["since_last_read"] = (
        next(v for v in versions if v.number == last_read_number)
        if version and last_read_number and last_read_number < version.number
        else None
    )
    return render(request, "strategy/detail.html", context)


@login_required
@require_POST
def read_beacon(request, pk, number):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    version = version_for(strategy, number)
    keys = request.POST.getlist("key")[:200]
    services.read_record(version=version, user=request.user, section_keys=keys)
    return HttpResponse(status=204)


@login_required
def feedback_page(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    allowed, reason = phases.can_give_feedback(strategy.phase, viewer, strategy.window_open())
    if not allowed:
        raise PermissionDenied(reason)
    version = version_for(strategy)
    secs = list(version.sections.all())
    confirmed = access.has_confirmed(strategy, request.user)
    confirm_form = forms.ReadConfirmationForm(
        request.POST if request.method == "POST" and "summary" in request.POST else None
    )
    teams = access.user_audience_teams(strategy, request.user)
    form = forms.PointForm(
        request.POST if request.method == "POST" and "body" in request.POST else None,
        sections=secs,
        teams=teams,
        assumptions=list(strategy.assumption_items.all()),
        initial={
            "section_key": request.GET.get("section", ""),
            "type": request.GET.get("type", "question"),
            "quote": request.GET.get("quote", "")[:500],
            "team": teams.first(),
        },
    )
    if request.method == "POST" and "summary" in request.POST:
        if confirm_form.is_valid():
            try:
                services.read_confirm(
                    strategy=strategy, by=request.user, summary=confirm_form.cleaned_data["summary"]
                )
            except ValidationError as exc:
                form_errors(confirm_form, exc)
            else:
                messages.success(request, "Thanks — now say what you think.")
                return redirect(
                    reverse("strategy:feedback", args=[strategy.pk])
                    + (f"?{request.GET.urlencode()}" if request.GET else "")
                )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        voice = data["voice"]
        try:
            point = feedback.point_create(
                strategy=strategy,
                by=request.user,
                type=data["type"],
                body=data["body"],
                section_key=data["section_key"],
                quote=data["quote"],
                rationale=data["rationale"],
                cost=data["cost"],
                confidence=data["confidence"],
                team=data["team"]
                if voice in ("team", "anonymous") or data["type"] == Point.Type.ALTERNATIVE
                else None,
                on_behalf_of_team=voice == "team",
                is_anonymous=voice == "anonymous",
                is_clarifying=data["is_clarifying"],
                assumption=data["assumption"] or None,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            kind = "Alternative" if point.is_alternative else "Feedback"
            messages.success(
                request,
                f"{kind} sent. It stays private until the window closes."
                + (
                    " Only you can find it again, under “Your feedback” on this strategy."
                    if point.is_anonymous
                    else ""
                ),
            )
            return redirect(
                reverse("strategy:detail", args=[strategy.pk])
                + (f"#s-{point.section_key}" if point.section_key else "")
            )
    return render(
        request,
        "strategy/feedback_form.html",
        {
            "strategy": strategy,
            "form": form,
            "confirm_form": confirm_form,
            "confirmed": confirmed,
            "anon_note": ANON_NOTE,
            "visibility_note": visibility_note(strategy),
        },
    )


# Small enough to render fast for the owner, whose every point carries a disposition form.
DISCUSSION_PAGE_SIZE = 25


_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def attach_point_urls(point, templates: dict[str, str] | None = None) -> None:
    """Each point's form actions, reversed once per page rather than three times per point."""
    for name, url in (templates or _point_url_templates()).items():
        setattr(point, f"{name}_url", url.replace(_PLACEHOLDER, str(point.public_id)))


def _point_url_templates() -> dict[str, str]:
    return {
        name: reverse(f"strategy:{name}", args=[_PLACEHOLDER])
        for name in ("vote", "reply", "dispose")
    }


def _discussion_points(request, strategy, viewer):
    visible = feedback.points_visible_to(strategy, request.user, viewer)
    section = request.GET.get("section")
    kind = request.GET.get("type")
    if section is not None and section != "all":
        visible = visible.filter(section_key=section)
    if kind in Point.Type.values:
        visible = visible.filter(type=kind)
    if request.GET.get("open") == "1":
        visible = visible.filter(type__in=phases.MUST_ANSWER_TYPES, disposition__isnull=True)
    ids = voting.shuffled(
        list(visible.values_list("id", flat=True)), user_id=request.user.pk, strategy_id=strategy.pk
    )
    page = Paginator(ids, DISCUSSION_PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    by_id = {p.pk: p for p in feedback.prefetch_discussion(Point.objects.filter(pk__in=page_ids))}
    voted = set(
        Vote.objects.filter(user=request.user, point_id__in=page_ids).values_list(
            "point_id", flat=True
        )
    )
    points = []
    templates = _point_url_templates()
    feedback.label_voices(by_id.values(), feedback.floor_for(strategy))
    for pid in page_ids:
        point = by_id[pid]
        point.my_vote = pid in voted
        attach_point_urls(point, templates)
        points.append(point)
    return page, points


@login_required
def discussion(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    if not strategy.is_revealed:
        raise PermissionDenied(
            "The discussion opens when the feedback window closes. Nothing is revealed early."
        )
    version = version_for(strategy)
    page, points = _discussion_points(request, strategy, viewer)
    secs = list(version.sections.all())
    titles = {s.key: s.title for s in secs}
    for p in points:
        p.section_title = (
            titles.get(p.section_key, "The strategy as a whole")
            if p.section_key in titles or not p.section_key
            else "An earlier section"
        )
    can_dispose, _ = phases.can_dispose(strategy.phase, viewer)
    if can_dispose:
        _attach_disposition_options(points, secs)
    can_vote, vote_reason = phases.can_vote(
        strategy.phase, viewer, voting_open=strategy.voting_open()
    )
    can_reply, _ = phases.can_reply(
        strategy.phase, viewer, window_open=False, to_clarifying_question=False
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "strategy/discussion.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "page": page,
            "points": points,
            "sections": secs,
            "can_vote": can_vote,
            "vote_reason": vote_reason,
            "show_tallies": strategy.tallies_visible(),
            "can_reply": can_reply,
            "can_dispose": can_dispose,
            "votes_left": feedback.votes_left(strategy, request.user),
            "withheld": feedback.may_withhold(strategy),
            "visibility_note": visibility_note(strategy),
            "types": Point.Type.choices,
            "query": query.urlencode(),
            "here": request.get_full_path(),
            "current_section": request.GET.get("section", "all"),
            "current_type": request.GET.get("type", ""),
            "open_only": request.GET.get("open") == "1",
            "statuses": forms.Disposition.Status.choices,
            "undisposed": services.undisposed_points(strategy).count() if viewer.is_owner else 0,
        },
    )


def _options(choices, selected) -> str:
    return "".join(
        f'<option value="{value}"{" selected" if value == selected else ""}>{label}</option>'
        for value, label in choices
    )


def _attach_disposition_options(points, secs) -> None:
    """Build each owner form's <option>s in Python: 40 forms x 40 sections is too slow as template loops."""
    # An unanswered point starts on "Choose…", never on a status a stray Save would record.
    statuses = [("", "Choose…")] + [
        (escape(v), escape(label)) for v, label in forms.Disposition.Status.choices
    ]
    places = [("", "No specific section")] + [
        (escape(s.key), escape(Truncator(s.title).chars(30))) for s in secs
    ]
    for point in points:
        disposition = getattr(point, "disposition", None)
        point.status_options = mark_safe(
            _options(statuses, disposition.status if disposition else "")
        )  # noqa: S308 - escaped above
        point.where_options = mark_safe(
            _options(places, disposition.section_key if disposition else "")
        )  # noqa: S308


def back_to(request, strategy, point=None):
    url = request.POST.get("next", "")
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = reverse("strategy:discussion", args=[strategy.pk])
    return redirect(url + (f"#point-{point.public_id}" if point else ""))


@login_required
@require_POST
def vote(request, pk):
    point, strategy, viewer = feedback.point_get_for(request.user, pk)
    try:
        if request.POST.get("action") == "withdraw":
            feedback.vote_withdraw(point=point, by=request.user)
        else:
            feedback.vote_cast(point=point, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    point.refresh_from_db()
    if request.htmx:
        point.my_vote = Vote.objects.filter(point=point, user=request.user).exists()
        attach_point_urls(point)
        return render(
            request,
            "strategy/_vote.html",
            {
                "point": point,
                "strategy": strategy,
                "can_vote": True,
                "show_tallies": strategy.tallies_visible(),
                "votes_left": feedback.votes_left(strategy, request.user),
                "oob": True,
                "here": request.POST.get("next", ""),
            },
        )
    return back_to(request, strategy, point)


@login_required
@require_POST
def withdraw(request, pk):
    point = feedback.own_point_get(request.user, pk)
    try:
        feedback.point_withdraw(point=point, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your point is withdrawn. Nobody saw it.")
    return redirect("strategy:detail", pk=point.strategy_id)


@login_required
@require_POST
def reply(request, pk):
    point, strategy, viewer = feedback.point_get_for(request.user, pk)
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            feedback.reply_create(point=point, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Reply posted.")
    else:
        messages.error(request, "Write a reply first (up to 4,000 characters).")
    return back_to(request, strategy, point)
