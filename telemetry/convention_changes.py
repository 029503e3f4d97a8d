"""Changing the convention safely: what a new version would do to each team before it is
published, rules that cannot hold together, and a readable summary and diff of versions."""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from productops.accounts.models import Team
from telemetry import naming
from telemetry.conventions import with_vocabulary
from telemetry.models import ConventionVersion, Event, EventProperty, TeamVocabulary

EXAMPLES = 5
# Names any workable convention accepts in some spelling: if the rules refuse every one of them
# even in the spelling they suggest, no name can conform and the rules contradict each other.
PROBES = (
    "Order Completed",
    "Product Viewed",
    "Signup Button Clicked",
    "checkout.order_completed",
    "search.results_viewed",
)

LABELS = {
    "event_case": "Event case",
    "property_case": "Property case",
    "word_order": "Word order",
    "tense": "Tense of the action",
    "reserved_prefixes": "Reserved prefixes",
    "reserved_names": "Reserved event names",
    "reserved_property_names": "Reserved property names",
    "max_length": "Longest name",
    "forbidden_chars": "Forbidden characters",
    "ascii_only": "Plain ASCII only",
    "forbid_dynamic_values": "No ids or values inside names",
    "abbreviations": "Abbreviations to spell out",
    "actions": "Known actions",
    "objects": "Known objects",
    "synonyms": "Synonyms",
}


def rules_fingerprint(rules: dict) -> str:
    """Identifies exactly these rules, so a publish can prove its impact was looked at."""
    return hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:16]


def convention_check(convention: naming.Convention) -> None:
    """Refuse rules no name could ever follow (e.g. every letter forbidden), naming the rule."""
    first = None
    for probe in PROBES:
        result = naming.lint_event(probe, convention)
        if result.ok:
            return
        if result.suggestion and naming.lint_event(result.suggestion, convention).ok:
            return
        first = first or result
    rules = ", ".join(sorted({v.rule for v in first.violations}))
    messages = " ".join(v.message for v in first.violations)
    raise ValidationError(
        {
            "rules": f"These rules contradict each other: no name can follow them, not even "
            f"“{PROBES[0]}” or the spelling they suggest ({rules}: {messages}) Loosen that rule."
        }
    )


# ---------------------------------------------------------------- impact


@dataclass
class TeamImpact:
    team: Team
    total: int = 0
    before: int = 0
    after: int = 0
    newly_failing: int = 0
    newly_passing: int = 0
    examples: list = field(default_factory=list)  # (name, first message, suggestion)

    @property
    def before_percent(self) -> int:
        return round(100 * self.before / self.total) if self.total else 100

    @property
    def after_percent(self) -> int:
        return round(100 * self.after / self.total) if self.total else 100

    @property
    def changed(self) -> bool:
        return bool(self.newly_failing or self.newly_passing)


@dataclass
class Impact:
    teams: list
    total: int = 0
    before: int = 0
    after: int = 0

    @property
    def before_percent(self) -> int:
        return round(100 * self.before / self.total) if self.total else 100

    @property
    def after_percent(self) -> int:
        return round(100 * self.after / self.total) if self.total else 100

    @property
    def newly_failing(self) -> int:
        return sum(t.newly_failing for t in self.teams)


def convention_impact(convention: naming.Convention) -> Impact:
    """For each team, its live events that would go from passing to failing (and back) under
    `convention` with the team's own words, with examples. Kept-on-purpose names do not move."""
    vocabularies = {v.team_id: v for v in TeamVocabulary.objects.select_related("team")}
    teams = {t.pk: TeamImpact(t) for t in Team.objects.order_by("name")}
    rows = (
        Event.objects.counted_for_health()
        .exclude(lint_state=Event.LintState.EXCEPTION)
        .order_by("team_id", "name")
        .values_list("pk", "team_id", "name", "lint_state")
    )
    by_team: dict[int, list] = {}
    for pk, team_id, name, state in rows:
        by_team.setdefault(team_id, []).append((pk, name, state))
    # Teams' own rules (a prefix, required properties) still apply under the new version.
    strict = [t for t, v in vocabularies.items() if v.required_properties]
    declared: dict[int, set] = {}
    for event_id, prop in EventProperty.objects.filter(event__team_id__in=strict).values_list(
        "event_id", "property__name"
    ):
        declared.setdefault(event_id, set()).add(prop)
    for team_id, events in by_team.items():
        impact = teams[team_id]
        vocabulary = vocabularies.get(team_id)
        team_conv = with_vocabulary(convention, vocabulary)
        rules = vocabulary.rules() if vocabulary else None
        results = naming.lint_events([name for _, name, _ in events], team_conv)
        for (pk, name, state), result in zip(events, results, strict=True):
            extra = (
                rules.violations(name, declared.get(pk, set())) if rules and rules.active else []
            )
            now_ok = result.ok and not extra
            was_ok = state == Event.LintState.OK
            impact.total += 1
            impact.before += was_ok
            impact.after += now_ok
            if was_ok and not now_ok:
                impact.newly_failing += 1
                if len(impact.examples) < EXAMPLES:
                    message = (
                        result.violations[0].message if result.violations else extra[0]["message"]
                    )
                    impact.examples.append((name, message, result.suggestion or ""))
            elif now_ok and not was_ok:
                impact.newly_passing += 1
    listed = sorted(teams.values(), key=lambda t: (-t.newly_failing, t.team.name))
    return Impact(
        teams=listed,
        total=sum(t.total for t in listed),
        before=sum(t.before for t in listed),
        after=sum(t.after for t in listed),
    )


def impact_notify(*, impact: Impact, version: ConventionVersion) -> int:
    """Tell each team with live events what the new version does to its own names."""
    from django.urls import reverse

    from productops.accounts.models import User
    from productops.accounts.services import notify

    sent = 0
    for team_impact in impact.teams:
        if not team_impact.total:
            continue
        team = team_impact.team
        if team_impact.newly_failing:
            examples = ", ".join(f"“{name}”" for name, _, _ in team_impact.examples[:3])
            body = (
                f"{team_impact.newly_failing} of your {team_impact.total} live events no longer "
                f"follow it (e.g. {examples}); {team_impact.before_percent}% → "
                f"{team_impact.after_percent}% conforming. Nothing is blocked: the team page "
                "suggests new names and can apply them in one go, keeping the old names as aliases."
            )
        elif team_impact.newly_passing:
            body = (
                f"{team_impact.newly_passing} of your events now follow the convention; "
                f"{team_impact.before_percent}% → {team_impact.after_percent}% conforming."
            )
        else:
            body = f"None of your {team_impact.total} live events change."
        sent += notify(
            recipients=User.objects.filter(memberships__team=team),
            key=f"telemetry:convention:{version.number}:team:{team.pk}",
            title=f"Naming convention v{version.number}: what it means for {team.name}",
            body=body + (f" Why: {version.note}" if version.note else ""),
            url=reverse("telemetry:team_health", args=[team.slug]),
        )
    return sent


# ---------------------------------------------------------------- summary and diff


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return f"{len(value)} entries"
    if isinstance(value, list | tuple):
        return f"{len(value)} entries"
    return str(value) if value != "" else "none"


def rules_summary(rules: dict) -> str:
    """One sentence a team reads to know how names are written under these rules."""
    parts = [
        f"events in {rules.get('event_case', '?')} case",
        f"properties in {rules.get('property_case', '?')} case",
        f"{str(rules.get('word_order', '?')).replace('_', ' then ')}",
        f"actions in the {rules.get('tense', '?')} tense",
        f"at most {rules.get('max_length', '?')} characters",
    ]
    return "; ".join(parts) + "."


def _entries(value) -> set:
    if isinstance(value, dict):
        return {f"{k} = {v}" for k, v in value.items()}
    if isinstance(value, list | tuple):
        return {", ".join(v) if isinstance(v, list | tuple) else str(v) for v in value}
    if isinstance(value, str) and len(value) > 1 and not value.isalnum():
        return set(value)
    return {value}


def rules_diff(before: dict | None, after: dict) -> list[str]:
    """What changed between two versions' rules, one readable line per rule."""
    if before is None:
        return ["First published version: " + rules_summary(after)]
    lines = []
    for key in after:
        old, new = before.get(key), after[key]
        if old == new:
            continue
        label = LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(new, dict | list | tuple) or (key == "forbidden_chars"):
            added = sorted(_entries(new) - _entries(old), key=str)
            removed = sorted(_entries(old) - _entries(new), key=str)
            bits = []
            if added:
                bits.append("added " + ", ".join(f"“{a}”" for a in added[:8]))
                if len(added) > 8:
                    bits[-1] += f" and {len(added) - 8} more"
            if removed:
                bits.append("removed " + ", ".join(f"“{r}”" for r in removed[:8]))
                if len(removed) > 8:
                    bits[-1] += f" and {len(removed) - 8} more"
            lines.append(f"{label}: {'; '.join(bits) or 'reordered'}")
        else:
            lines.append(f"{label}: {_text(old)} → {_text(new)}")
    return lines


def versions_with_changes(versions: list[ConventionVersion]) -> list[dict]:
    """Each version with its summary and its diff from the version before it (newest first)."""
    ordered = sorted(versions, key=lambda v: v.number)
    previous = None
    rows = []
    for version in ordered:
        rows.append(
            {
                "version": version,
                "summary": rules_summary(version.rules),
                "changes": rules_diff(previous.rules if previous else None, version.rules),
            }
        )
        previous = version
    return rows[::-1]
