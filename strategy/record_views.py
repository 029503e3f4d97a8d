"""The record of a strategy as pages: what changed between versions, and “you said, we did”."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from strategy import access, feedback, forms, phases, records
from strategy.models import Section
from strategy.views import phase_steps_for, version_for


@login_required
def diff(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    versions = list(strategy.versions.defer("body"))
    if len(versions) < 1:
        raise Http404("Nothing published yet.")
    latest = versions[-1].number
    if request.GET.get("since") == "read":
        last = records.last_read_version(strategy, request.user, before=latest)
        a = last.number if last else 1
        b = latest
    else:
        try:
            a = int(request.GET.get("a", max(latest - 1, 1)))
            b = int(request.GET.get("b", latest))
        except ValueError as exc:
            raise Http404("Versions are numbers.") from exc
    old, new = version_for(strategy, a), version_for(strategy, b)
    rows = records.versions_diff(old, new)
    return render(
        request,
        "strategy/diff.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "versions": versions,
            "old": old,
            "new": new,
            "rows": rows,
            "changed": [r for r in rows if r.status != "unchanged"],
            "since_read": request.GET.get("since") == "read",
        },
    )


@login_required
def you_said_we_did(request, pk):
    strategy, viewer = access.strategy_get_for(request.user, pk)
    if strategy.phase not in (phases.FINAL, phases.ARCHIVED) and not viewer.is_owner:
        raise PermissionDenied("“You said, we did” is published when the strategy is final.")
    rows = records.you_said_we_did(strategy)
    secs = {
        s.key: s.title
        for s in Section.objects.filter(version__strategy=strategy).only("key", "heading")
    }
    for row in rows:
        row["section_title"] = secs.get(row["point"].section_key, "The strategy as a whole")
        d = row["disposition"]
        row["changed_title"] = secs.get(d.section_key) if d and d.section_key else ""
    groups = []
    for status, label in forms.Disposition.Status.choices:
        groups.append(
            (
                status,
                label,
                [r for r in rows if r["disposition"] and r["disposition"].status == status],
            )
        )
    unanswered = [r for r in rows if not r["disposition"]]
    return render(
        request,
        "strategy/you_said_we_did.html",
        {
            "strategy": strategy,
            "viewer": viewer,
            "phase_steps": phase_steps_for(strategy),
            "groups": groups,
            "unanswered": unanswered,
            "total": len(rows),
            "withheld": feedback.may_withhold(strategy),
        },
    )
