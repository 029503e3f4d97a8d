"""The organisation's naming convention as data: published versions, each parsed once per
process, and the words a team adds on top (never loosening the organisation's rules)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from productops.accounts.models import Team, User
from productops.accounts.services import audit_record
from telemetry import naming
from telemetry.models import ConventionVersion, TeamVocabulary


@dataclass(frozen=True)
class CurrentConvention:
    version: ConventionVersion | None
    convention: naming.Convention

    @property
    def preset(self) -> str:
        return self.version.preset if self.version else naming.DEFAULT_PRESET


# Parsing a convention builds the linter's word tables, so each version is parsed once per process.
_parsed: dict = {}


def _parsed_convention(key, build) -> naming.Convention:
    convention = _parsed.get(key)
    if convention is None:
        if len(_parsed) > 256:
            _parsed.clear()
        convention = _parsed[key] = build()
    return convention


def current_convention() -> CurrentConvention:
    version = ConventionVersion.objects.current()
    if version is None:
        return CurrentConvention(None, naming.PRESETS[naming.DEFAULT_PRESET])
    return CurrentConvention(
        version, _parsed_convention(("version", version.pk, version.created_at), version.convention)
    )


def team_convention(base: naming.Convention, team: Team | None) -> naming.Convention:
    if team is None:
        return base
    vocabulary = TeamVocabulary.objects.filter(team=team).first()
    return with_vocabulary(base, vocabulary)


def with_vocabulary(
    base: naming.Convention, vocabulary: TeamVocabulary | None
) -> naming.Convention:
    if vocabulary is None or not (vocabulary.actions or vocabulary.object_words):
        return base
    key = ("team", id(base), vocabulary.pk, vocabulary.updated_at)
    cached = _parsed.get(key)
    # The base is kept with the result so a recycled id() can never match another convention.
    if cached is None or cached[0] is not base:
        try:
            extended = base.with_team_words(
                actions=vocabulary.actions, objects=vocabulary.object_words
            )
        except ValueError:
            # Words saved before the engine tightened its rules: ignore them rather than fail.
            extended = base
        cached = _parsed[key] = (base, extended)
    return cached[1]


# Each concurrent publish that wins costs the others one retry; ten covers a burst of clicks.
PUBLISH_ATTEMPTS = 10


def convention_publish(*, by: User, rules: dict, preset: str, note: str = "") -> ConventionVersion:
    """Publish a new numbered version; existing events are re-linted after commit."""
    if not by.is_productops_admin:
        raise PermissionDenied("Only ProductOps admins can change the organisation's convention.")
    try:
        convention = naming.Convention.from_dict(rules)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rules": str(exc)}) from exc
    if preset not in naming.PRESETS and preset != "custom":
        raise ValidationError({"preset": f"Choose one of {', '.join(naming.PRESETS)} or custom."})
    from telemetry.convention_changes import convention_check, convention_impact, impact_notify
    from telemetry.tasks import relint_events

    convention_check(convention)
    # Measured against the verdicts teams see now, before the re-lint rewrites them.
    impact = convention_impact(convention)

    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            with transaction.atomic():
                latest = ConventionVersion.objects.aggregate(n=Max("number"))["n"] or 0
                version = ConventionVersion.objects.create(
                    number=latest + 1,
                    preset=preset,
                    rules=convention.to_dict(),
                    note=note[:500],
                    author=by,
                )
                audit_record(
                    actor=by,
                    action="telemetry.convention.published",
                    target=version,
                    reason=note,
                    data={
                        "number": version.number,
                        "preset": preset,
                        "conforming_before": impact.before_percent,
                        "conforming_after": impact.after_percent,
                    },
                )
                relint_events.delay_on_commit()
                impact_notify(impact=impact, version=version)
            return version
        except IntegrityError:
            # Two admins published at once; the loser takes the next number.
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _clean_prefix(prefix: str, convention: naming.Convention) -> str:
    """A prefix is refused when no name with it could follow the organisation's convention:
    a team may tighten the convention for itself, never make it impossible (or loosen it)."""
    from telemetry.convention_changes import PROBES

    prefix = (prefix or "").strip("\n\r\t")
    if not prefix:
        return ""
    if len(prefix) > 40 or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.:-]*", prefix):
        raise ValidationError(
            {
                "prefix": "Use up to 40 letters, digits and separators, e.g. “checkout_” or “Checkout ”."
            }
        )
    tried = []
    for probe in PROBES:
        result = naming.lint_event(probe, convention)
        base = probe if result.ok else result.suggestion
        if not base:
            continue
        candidate = base if base.startswith(prefix) else prefix + base
        verdict = naming.lint_event(candidate, convention)
        if verdict.ok:
            return prefix
        tried.append((candidate, verdict))
    example, verdict = tried[0] if tried else (prefix, naming.lint_event(prefix, convention))
    raise ValidationError(
        {
            "prefix": f"With “{prefix}” no name can follow the organisation's convention: "
            f"“{example}” breaks it ({' '.join(v.message for v in verdict.violations)}). "
            "Write the prefix the way the convention writes words."
        }
    )


def _clean_required_properties(names: Iterable[str]) -> list[str]:
    from telemetry.services import clean_name

    cleaned = []
    for name in names:
        if not str(name).strip():
            continue
        try:
            cleaned.append(clean_name(str(name), field="required_properties", max_length=200))
        except ValidationError:
            raise
    if len(cleaned) > 30:
        raise ValidationError({"required_properties": "Require at most 30 properties."})
    return list(dict.fromkeys(cleaned))


def team_vocabulary_save(
    *,
    team: Team,
    by: User,
    actions: dict,
    objects: Iterable[str],
    prefix: str | None = None,
    required_properties: Iterable[str] | None = None,
) -> TeamVocabulary:
    """A team's own words and rules, saved at once by any member. Words only add to the
    organisation's; a prefix and required properties only add checks for the team's events.
    Left as None, the prefix and required properties stay as they are."""
    if not by.is_member_of(team):
        raise PermissionDenied("Only members of this team can change its vocabulary.")
    from telemetry.tasks import relint_events

    clean_actions = {}
    for base, past in actions.items():
        base, past = base.strip().lower(), past.strip().lower()
        if not re.fullmatch(r"[a-z][a-z-]{0,39}", base) or not re.fullmatch(
            r"[a-z][a-z-]{0,39}", past
        ):
            raise ValidationError(
                {
                    "actions": f"“{base} = {past}”: use single lowercase words, e.g. “rebook = rebooked”."
                }
            )
        clean_actions[base] = past
    clean_objects = []
    for word in objects:
        word = word.strip().lower()
        if not word:
            continue
        if not re.fullmatch(r"[a-z][a-z0-9 -]{0,39}", word):
            raise ValidationError({"objects": f"“{word}”: use lowercase words, e.g. “voucher”."})
        clean_objects.append(word)
    try:
        current_convention().convention.with_team_words(
            actions=clean_actions, objects=clean_objects
        )
    except ValueError as exc:
        field = "objects" if str(exc).startswith("objects") else "actions"
        raise ValidationError({field: str(exc)}) from exc
    defaults = {
        "actions": clean_actions,
        "object_words": sorted(set(clean_objects)),
        "updated_by": by,
    }
    if prefix is not None:
        defaults["prefix"] = _clean_prefix(prefix, current_convention().convention)
    if required_properties is not None:
        defaults["required_properties"] = _clean_required_properties(required_properties)
    with transaction.atomic():
        vocabulary, _ = TeamVocabulary.objects.update_or_create(team=team, defaults=defaults)
        audit_record(
            actor=by,
            action="telemetry.vocabulary.saved",
            target=vocabulary,
            data={
                "actions": clean_actions,
                "objects": vocabulary.object_words,
                "prefix": vocabulary.prefix,
                "required_properties": vocabulary.required_properties,
            },
        )
        relint_events.delay_on_commit(team.pk)
    return vocabulary
