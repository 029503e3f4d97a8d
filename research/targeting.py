"""Who a research request targets: criteria, the dry run, overlaps and the representative draw.

Everything reads the denormalised eligibility columns (kept current by services), so a dry
run or a draw over half a million participants is a handful of indexed queries.
"""

import math
from collections import Counter
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, TextField, Value, When, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Collate, RowNumber
from django.utils import timezone

from research import eligibility, fatigue, holds, planning, sampling
from research.models import (
    BUILTIN_ATTRIBUTES,
    RULE_BITS,
    AttributeDefinition,
    FatigueRuleSet,
    Override,
    Participant,
    ResearchRequest,
)
from research.responses import response_rate, typical_fill_days

MAX_DIMENSIONS = 3
_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
BLANK = "(blank)"


# Criteria ---------------------------------------------------------------------------------------


def attribute_catalogue() -> dict[str, dict]:
    """Every attribute a request may filter or stratify on: built-in columns and declared ones."""
    catalogue = {
        name: {
            "label": name.replace("_", " ").capitalize(),
            "type": "choice" if values else "text",
            "values": values,
            "builtin": True,
        }
        for name, values in BUILTIN_ATTRIBUTES.items()
    }
    for d in AttributeDefinition.objects.active():
        catalogue[d.name] = {
            "label": d.label or d.name,
            "type": d.type,
            "values": d.allowed_values or None,
            "builtin": False,
        }
    return catalogue


def criteria_clean(criteria, *, catalogue=None) -> dict:
    """Normalise {"attribute": [values]} (or {"min", "max"} for numbers); name any unknown attribute."""
    if criteria in (None, ""):
        return {}
    if not isinstance(criteria, dict):
        raise ValidationError({"criteria": 'Criteria must be an object like {"plan": ["pro"]}.'})
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    cleaned = {}
    for name, wanted in criteria.items():
        if name not in catalogue:
            raise ValidationError(
                {
                    "criteria": f"Unknown attribute '{name}'. Use one of: {', '.join(sorted(catalogue))}; "
                    "ProductOps admins can declare new attributes."
                }
            )
        spec = catalogue[name]
        if spec["type"] == "number":
            if not isinstance(wanted, dict) or not set(wanted) <= {"min", "max"} or not wanted:
                raise ValidationError(
                    {"criteria": f'\'{name}\' is a number: give {{"min": …, "max": …}}.'}
                )
            try:
                cleaned[name] = {k: float(v) for k, v in wanted.items()}
            except (TypeError, ValueError):
                raise ValidationError({"criteria": f"'{name}' bounds must be numbers."}) from None
            continue
        if isinstance(wanted, str | bool | int):
            wanted = [wanted]
        if not isinstance(wanted, list) or not wanted:
            raise ValidationError({"criteria": f"'{name}' needs a list of values, e.g. [\"pro\"]."})
        if spec["type"] == "boolean":
            unclear = [
                v
                for v in wanted
                if not isinstance(v, bool) and str(v).strip().lower() not in _BOOLEAN_WORDS
            ]
            if unclear:
                raise ValidationError(
                    {
                        "criteria": f"'{name}' is yes or no; {', '.join(map(repr, unclear))} is "
                        "neither. Use true or false."
                    }
                )
            values = [
                v if isinstance(v, bool) else _BOOLEAN_WORDS[str(v).strip().lower()] for v in wanted
            ]
        else:
            values = [str(v).strip() for v in wanted if str(v).strip()]
            allowed = spec["values"]
            unknown = [v for v in values if allowed and v not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        "criteria": f"'{name}' has no value {', '.join(map(repr, unknown))}; "
                        f"allowed: {', '.join(map(str, allowed))}."
                    }
                )
        if values:
            cleaned[name] = sorted(set(values), key=str)
    return cleaned


def dimensions_clean(dimensions, *, catalogue=None) -> list[str]:
    if not dimensions:
        return []
    if isinstance(dimensions, str):
        dimensions = [d.strip() for d in dimensions.split(",") if d.strip()]
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    unknown = [d for d in dimensions if d not in catalogue]
    if unknown:
        raise ValidationError(
            {
                "dimensions": f"Unknown attribute {', '.join(map(repr, unknown))}; use one of: "
                f"{', '.join(sorted(catalogue))}."
            }
        )
    if any(catalogue[d]["type"] == "number" for d in dimensions):
        raise ValidationError(
            {"dimensions": "Numbers cannot be strata; pick attributes with a few values."}
        )
    dims = list(dict.fromkeys(dimensions))
    if len(dims) > MAX_DIMENSIONS:
        raise ValidationError(
            {"dimensions": f"Keep at most {MAX_DIMENSIONS} dimensions representative."}
        )
    return dims


def criteria_q(criteria: dict, *, catalogue=None) -> Q:
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    q = Q()
    for name, wanted in criteria.items():
        column = name if catalogue.get(name, {}).get("builtin") else f"attributes__{name}"
        if isinstance(wanted, dict):
            if "min" in wanted:
                q &= Q(**{f"{column}__gte": wanted["min"]})
            if "max" in wanted:
                q &= Q(**{f"{column}__lte": wanted["max"]})
        else:
            q &= Q(**{f"{column}__in": wanted})
    return q


def matching(criteria: dict, *, catalogue=None):
    return Participant.objects.filter(criteria_q(criteria, catalogue=catalogue))


# The dry run ----------------------------------------------------------------------------------


def _not_eligible(now) -> Q:
    return Q(next_eligible_at__isnull=True) | Q(next_eligible_at__gt=now)


def _rule_rows(rows) -> list[dict]:
    return sorted(
        (
            {
                "rule": rule,
                "name": fatigue.RULE_NAMES.get(rule, rule),
                "count": count,
                "overridable": rule in fatigue.OVERRIDABLE,
            }
            for rule, count in rows
            if count
        ),
        key=lambda r: (-r["count"], r["rule"]),
    )


def _counts(queryset, *, now, columns=None) -> tuple[dict, list[dict]]:
    """Matching, eligible and held back per rule, in one scan grouped by blocked_mask.

    A panel has few distinct combinations of blocking rules, so the database returns a short
    list of (mask, people) and the bits are counted here, not tested per row per rule. With
    ``columns`` (dimension expressions) the same scan also groups by stratum, and counts["whole"]
    and counts["eligible_strata"] give the whole and the eligible panel per stratum.
    """
    columns = columns or {}
    rows = (
        queryset.annotate(**columns)
        .order_by()
        .values("blocked_mask", *columns)
        .annotate(n=Count("id"), eligible=Count("id", filter=Q(next_eligible_at__lte=now)))
        .values_list("blocked_mask", "n", "eligible", *columns)
    )
    return _tally(rows, with_strata=bool(columns))


def _tally(rows, *, with_strata: bool) -> tuple[dict, list[dict]]:
    """Counts and per-rule refusals from (blocked_mask, matching, eligible, *dimension values)."""
    counts = {"matching": 0, "eligible": 0, "whole": {}, "eligible_strata": {}}
    per_rule = [0] * len(RULE_BITS)
    for mask, n, eligible, *values in rows:
        counts["matching"] += n
        counts["eligible"] += eligible
        if with_strata:
            stratum = _stratum(values)
            counts["whole"][stratum] = counts["whole"].get(stratum, 0) + n
            counts["eligible_strata"][stratum] = (
                counts["eligible_strata"].get(stratum, 0) + eligible
            )
        if n > eligible:
            for i in range(len(RULE_BITS)):
                if mask & (1 << i):
                    per_rule[i] += n - eligible
    return counts, _rule_rows(zip(RULE_BITS, per_rule, strict=True))


def _counts_and_room(queryset, *, now, columns, request, rules, minutes):
    """_counts and planning.capacity from one scan of the matching people (PostgreSQL)."""
    held = holds.held_elsewhere(request=request, now=now)
    rows_qs = (
        queryset.annotate(
            **columns,
            _free=Case(
                When(Q(next_eligible_at__lte=now) & ~Q(pk__in=held), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values("account_id", "blocked_mask", "next_eligible_at", "_free", *columns)
    )
    rows = planning.counts_with_capacity(
        rows_qs=rows_qs, now=now, dims=list(columns), rules=rules, session_minutes=minutes
    )
    room = {"people": 0, "too_long": 0, "capped": 0}
    grouped = []
    for mask, n, eligible, people, too_long, capped, *values in rows:
        room = {"people": int(people), "too_long": int(too_long), "capped": int(capped)}
        grouped.append((mask, n, eligible, *values))
    counts, by_rule = _tally(grouped, with_strata=bool(columns))
    return counts, by_rule, room


def refusals_by_rule(queryset, *, now) -> list[dict]:
    """How many of these participants each rule holds back today."""
    return _counts(queryset, now=now)[1]


def dry_run(
    *,
    criteria: dict,
    needed: int,
    method: str = "",
    now=None,
    catalogue=None,
    request: ResearchRequest | None = None,
    session_minutes: int = 0,
    dimensions=(),
    deadline=None,
) -> dict:
    """How many match, how many each rule holds back (for a session of this length), who other
    requests hold, how many one sample can take under the account caps, how long filling should
    take or that it cannot be filled, and how the eligible panel differs from the whole."""
    now = now or timezone.now()
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These grouped scans take tens of milliseconds; compiling them (JIT, which their
            # cost estimate over half a million rows triggers) would cost about as much again.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return _dry_run(
            criteria=criteria,
            needed=needed,
            method=method,
            now=now,
            catalogue=catalogue,
            request=request,
            session_minutes=session_minutes,
            dimensions=dimensions,
            deadline=deadline,
        )


def _dry_run(
    *, criteria, needed, method, now, catalogue, request, session_minutes, dimensions, deadline
) -> dict:
    rules = FatigueRuleSet.objects.current_rules()
    qs = matching(criteria, catalogue=catalogue)
    dimensions = list(dimensions or [])
    columns = _dimension_columns(dimensions, catalogue) if dimensions else {}
    rate = response_rate(method=method, now=now)
    invitations = math.ceil(needed / rate)
    eligible_now = qs.filter(next_eligible_at__lte=now)
    held = holds.held_summary(queryset=eligible_now, now=now, request=request)
    held_total = sum(h["count"] for h in held)
    if connection.vendor == "postgresql":
        counts, by_rule, room = _counts_and_room(
            qs, now=now, columns=columns, request=request, rules=rules, minutes=session_minutes
        )
    else:
        counts, by_rule = _counts(qs, now=now, columns=columns)
        free = holds.eligible_for(request=request, queryset=eligible_now, now=now)
        room = planning.capacity(
            eligible_qs=free, rules=rules, session_minutes=session_minutes, now=now
        )
    if room["too_long"]:
        # The denormalised state checks a session of any length; this one is longer.
        by_rule = _with_rule(by_rule, "account-minutes-cap", room["too_long"])
    eligible = counts["eligible"] - held_total - room["too_long"]
    available = room["people"]
    warnings = []
    if eligible < needed:
        warnings.append(
            f"Only {eligible} eligible participant{'s' if eligible != 1 else ''} match for {needed} wanted: "
            "widen the criteria, lower the number, or wait until cooldowns end."
        )
    elif available < needed:
        warnings.append(
            f"The account caps let one sample take at most {available} of the {eligible} eligible "
            f"({room['capped']} are at accounts that would pass their quarterly cap)."
        )
    elif available < invitations:
        warnings.append(
            f"At a {rate:.0%} response rate you need about {invitations} invitations but only {available} "
            "can be invited now; expect to fall short or to wait for a second wave."
        )
    fill = planning.time_to_fill(
        matching_qs=qs,
        available=available,
        needed=needed,
        rate=rate,
        fill_days=typical_fill_days(now=now),
        now=now,
        deadline=deadline,
    )
    if fill["impossible"]:
        warnings.insert(0, fill["note"])
    panel_skew = planning.skew_of(
        whole=counts["whole"], eligible=counts["eligible_strata"], dimensions=dimensions
    )
    return {
        "matching": counts["matching"],
        "eligible": eligible,
        "excluded": counts["matching"] - eligible,
        "by_rule": by_rule,
        "held": held,
        "held_total": held_total,
        "sample_capacity": available,
        "session_minutes": session_minutes,
        "response_rate": rate,
        "invitations_needed": invitations,
        "expected_days": fill["days"],
        "impossible": fill["impossible"],
        "fill_note": fill["note"],
        "skew": panel_skew,
        "warnings": warnings,
    }


def _with_rule(by_rule: list[dict], rule: str, extra: int) -> list[dict]:
    counts = {r["rule"]: r["count"] for r in by_rule}
    counts[rule] = counts.get(rule, 0) + extra
    return _rule_rows(counts.items())


def request_dry_run(request: ResearchRequest, *, now=None) -> dict:
    """Today's dry run of a filed request, with all it asks for."""
    return dry_run(
        criteria=request.criteria,
        needed=request.participants_needed,
        method=request.method,
        now=now,
        request=request,
        session_minutes=request.session_minutes,
        dimensions=request.dimensions,
        deadline=request.deadline,
    )


def overlapping_requests(*, criteria: dict, deadline, exclude_pk=None, now=None, team=None):
    """Open requests of other teams on the same segment in the same weeks: candidates to share sessions.

    Two segments overlap when every attribute both filter on has a value in common; two requests
    share weeks when their windows (filed .. deadline) touch the same ISO week.
    """
    now = now or timezone.now()
    start = now.date() - timedelta(days=now.date().weekday())
    found = []
    qs = (
        ResearchRequest.objects.open()
        .filter(deadline__gte=start)
        .select_related("team", "researcher")
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    for other in qs[:200]:
        other_start = other.created_at.date() - timedelta(days=other.created_at.date().weekday())
        if deadline and (other_start > deadline or other.deadline < start):
            continue
        if _segments_overlap(criteria, other.criteria):
            found.append(other)
    return found


def _segments_overlap(a: dict, b: dict) -> bool:
    for name in set(a) & set(b):
        x, y = a[name], b[name]
        if isinstance(x, dict) and isinstance(y, dict):
            low_x, high_x = x.get("min", -math.inf), x.get("max", math.inf)
            low_y, high_y = y.get("min", -math.inf), y.get("max", math.inf)
            if low_x > high_y or low_y > high_x:
                return False
        elif (
            isinstance(x, list) and isinstance(y, list) and not set(map(str, x)) & set(map(str, y))
        ):
            return False
    return True


# Sampling -------------------------------------------------------------------------------------


def _dimension_columns(dimensions, catalogue) -> dict[str, object]:
    """Annotation name -> expression for each stratification dimension."""
    columns = {}
    for i, name in enumerate(dimensions):
        if catalogue[name]["builtin"]:
            column = Coalesce(F(name), Value(""))
        else:
            column = Coalesce(
                KeyTextTransform(name, "attributes"), Value(""), output_field=TextField()
            )
        if connection.vendor == "postgresql":
            # Strata only need grouping, not a language's order: byte comparison sorts far faster.
            column = Collate(column, "C")
        columns[f"dim{i}"] = column
    return columns


def _stratum(values) -> tuple[str, ...]:
    return tuple(str(v) if v not in (None, "") else BLANK for v in values)


_HASH_MOD = 1000003


def _candidates(eligible_qs, dimensions, catalogue, *, per_stratum: int, seed: int):
    """The least-contacted `per_stratum` people of each stratum, plus every stratum's size.

    The sampler only ever picks from the least-contacted end of a stratum, so it does not need
    the other hundreds of thousands; a seeded hash orders ties fairly and reproducibly. Most
    people were never contacted, and among them only the smallest hashes can be picked, so the
    sort skips never-contacted people above a hash threshold that still leaves every stratum
    about three times what it may need (checked below; the exact query runs if it did not).
    """
    columns = _dimension_columns(dimensions, catalogue)
    fresh = Q(contact_count=0, last_contacted_at__isnull=True)
    sizes = eligible_qs.annotate(**columns).order_by().values(*columns)
    sizes = (
        sizes.annotate(n=Count("id"), fresh=Count("id", filter=fresh))
        if columns
        else [eligible_qs.aggregate(n=Count("id"), fresh=Count("id", filter=fresh))]
    )
    population, fresh_of = {}, {}
    for row in sizes:
        stratum = _stratum(row[c] for c in columns)
        population[stratum], fresh_of[stratum] = row["n"], row["fresh"]
    keep = max([min(1.0, 3 * per_stratum / f) for f in fresh_of.values() if f] or [1.0])
    # When every stratum has enough never-contacted people, nobody contacted can be picked.
    only_fresh = all(f >= per_stratum for f in fresh_of.values())
    rows = _ranked(
        eligible_qs, columns, per_stratum=per_stratum, seed=seed, keep=keep, only_fresh=only_fresh
    )
    if keep < 1.0:
        returned = Counter(_stratum(r[1:-2]) for r in rows if r[-2] == 0 and r[-1] is None)
        if any(returned[s] < min(per_stratum, fresh_of[s]) for s in fresh_of):
            rows = _ranked(eligible_qs, columns, per_stratum=per_stratum, seed=seed, keep=1.0)
    candidates = [
        sampling.Candidate(
            id=r[0], strata=_stratum(r[1:-2]), contact_count=r[-2], last_contacted_at=r[-1]
        )
        for r in rows
    ]
    return candidates, population


def _ranked(eligible_qs, columns, *, per_stratum, seed, keep, only_fresh=False) -> list[tuple]:
    partition = [F(c) for c in columns] or None
    shuffle = (F("id") * 2654435761 + (seed % _HASH_MOD)) % _HASH_MOD
    order = [
        F("contact_count").asc(),
        F("last_contacted_at").asc(nulls_first=True),
        F("shuffle").asc(),
        F("id").asc(),
    ]
    qs = eligible_qs.annotate(**columns, shuffle=shuffle)
    contacted = Q(contact_count__gt=0) | Q(last_contacted_at__isnull=False)
    if only_fresh:
        qs = qs.exclude(contacted)
    if keep < 1.0:
        qs = qs.filter(contacted | Q(shuffle__lt=math.ceil(keep * _HASH_MOD)))
    qs = (
        qs.annotate(rn=Window(RowNumber(), partition_by=partition, order_by=order))
        .filter(rn__lte=per_stratum)
        .order_by()
        .values_list("id", *columns, "contact_count", "last_contacted_at")
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The window sorts every remaining row: keep that sort in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '128MB'")
        return list(qs)


def _id(item) -> int:
    return getattr(item, "id", item)


def request_eligible(*, request: ResearchRequest, now, catalogue=None):
    """Who this request may draw: matching, eligible today (or only past a cooldown this request
    has an override for) and held by no other request."""
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    today = Q(next_eligible_at__lte=now)
    if request.pk:
        overridden = list(
            Override.objects.filter(request=request, expires_at__gt=now).values_list(
                "participant_id", flat=True
            )
        )
        # Only when there are some: an OR with a subquery slows the draw's window query down.
        if overridden:
            today |= Q(pk__in=overridden)
    eligible = matching(request.criteria, catalogue=catalogue).filter(today)
    return holds.eligible_for(request=request, queryset=eligible, now=now)


def sample_preview(
    *, request: ResearchRequest, seed: int, now=None, exclude=(), exclude_q=None, catalogue=None
):
    """Draw without saving: (sampling result, population counts, candidates by id, rate)."""
    now = now or timezone.now()
    catalogue = catalogue if catalogue is not None else attribute_catalogue()
    eligible = request_eligible(request=request, now=now, catalogue=catalogue)
    if exclude:
        eligible = eligible.exclude(pk__in=eligibility.ids_param(exclude))
    if exclude_q is not None:
        eligible = eligible.exclude(exclude_q)
    rate = response_rate(method=request.method, now=now)
    # Enough for any stratum to supply every selected and standby place, should the others be empty.
    per_stratum = math.ceil(request.participants_needed / rate) + 20
    candidates, population = _candidates(
        eligible, request.dimensions, catalogue, per_stratum=per_stratum, seed=seed
    )
    result = sampling.draw(
        candidates=candidates,
        n=request.participants_needed,
        seed=seed,
        response_rate=rate,
        population_counts=population,
    )
    return result, population, {c.id: c for c in candidates}, rate


# Drawing and storing a sample lives in research/drawing.py; callers reach it from here too.
from research.drawing import sample_draw  # noqa: E402, F401
