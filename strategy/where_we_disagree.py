"""Gathers the inputs of strategy.disagreement from the database, after the reveal only.

Only what the pages already show goes in: points withheld under the k floor are left out, an
assumption's ratings count only when at least K people rated it, and anonymous points count
as a voice each, since nothing may tie them to their author.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Q

from strategy import anonymity, disagreement, feedback, phases
from strategy.models import ConfidenceRating, Disposition, Point, Reply, Strategy

AGAINST = ("concern", "pushback", "risk")


@dataclass
class Report:
    items: list[disagreement.Disagreement]
    dominance: float | None  # None with too few voices to mean anything
    voices: int

    @property
    def dominance_percent(self) -> int | None:
        return None if self.dominance is None else round(100 * self.dominance)


def _dispositions_text(points, labels: dict) -> str:
    """How written feedback settled a subject, for the "settled in writing" list."""
    if not points:
        return "No feedback"
    answered = Counter(labels[p["disposition__status"]] for p in points if p["disposition__status"])
    text = f"{len(points)} point{'s' if len(points) != 1 else ''}"
    if answered:
        text += ": " + ", ".join(f"{n} {label.lower()}" for label, n in answered.most_common())
    else:
        text += (
            ", none needing an answer"
            if not any(p["type"] in phases.MUST_ANSWER_TYPES for p in points)
            else ", awaiting answers"
        )
    return text


def subjects_for(strategy: Strategy) -> list[disagreement.Subject]:
    if not strategy.is_revealed:
        return []
    floor = feedback.floor_for(strategy)
    version = strategy.versions.order_by("-number").first()
    sections = list(version.sections.all()) if version else []
    points = list(
        feedback.without_withheld(Point.objects.filter(strategy=strategy), floor).values(
            "public_id",
            "section_key",
            "type",
            "body",
            "assumption__public_id",
            "disposition__status",
        )
    )
    status_labels = dict(Point._meta.get_field("type").choices)
    disposition_labels = dict(Disposition.Status.choices)
    by_section, by_assumption = defaultdict(list), defaultdict(list)
    for p in points:
        by_section[p["section_key"]].append(p)
        if p["assumption__public_id"]:
            by_assumption[p["assumption__public_id"]].append(p)

    def subject(kind, key, label, rows, scores=()):
        return disagreement.Subject(
            kind=kind,
            key=str(key),
            label=label,
            scores=tuple(scores),
            support=sum(1 for r in rows if r["type"] == "support"),
            against=sum(1 for r in rows if r["type"] in AGAINST),
            open_blockers=sum(
                1
                for r in rows
                if r["type"] in phases.MUST_ANSWER_TYPES and not r["disposition__status"]
            ),
            questions=sum(1 for r in rows if r["type"] == "question"),
            disposition=_dispositions_text(rows, disposition_labels),
        )

    subjects = [subject("section", "", "The strategy as a whole", by_section.get("", []))]
    subjects += [subject("section", s.key, s.title, by_section.get(s.key, [])) for s in sections]
    scores = defaultdict(list)
    for aid, score in ConfidenceRating.objects.filter(assumption__strategy=strategy).values_list(
        "assumption__public_id", "score"
    ):
        scores[aid].append(score)
    for a in strategy.assumption_items.all():
        rated = scores.get(a.public_id, [])
        subjects.append(
            subject(
                "assumption",
                a.public_id,
                a.text,
                by_assumption.get(a.public_id, []),
                rated if len(rated) >= anonymity.K else (),
            )
        )
    for p in points:
        if p["type"] == "alternative":
            blocker = 0 if p["disposition__status"] else 1
            subjects.append(
                disagreement.Subject(
                    kind="alternative",
                    key=str(p["public_id"]),
                    label=p["body"][:120],
                    open_blockers=blocker,
                    disposition=disposition_labels.get(p["disposition__status"], "")
                    or status_labels["alternative"],
                )
            )
    return subjects


def report_for(strategy: Strategy) -> Report:
    items = disagreement.assess_all(subjects_for(strategy))
    if not strategy.is_revealed:
        return Report(items, None, 0)
    floor = feedback.floor_for(strategy)
    visible = feedback.without_withheld(Point.objects.filter(strategy=strategy), floor)
    named = Counter(
        visible.filter(is_anonymous=False, author__isnull=False).values_list("author_id", flat=True)
    )
    anonymous = visible.filter(Q(is_anonymous=True) | Q(author__isnull=True)).count()
    named.update(Reply.objects.filter(point__in=visible).values_list("author_id", flat=True))
    # Each anonymous point is its own voice: a lower bound on dominance, never a guess at authors.
    contributions = list(named.values()) + [1] * anonymous
    voices = len(contributions)
    share = disagreement.dominance(contributions) if voices > disagreement.TOP_VOICES else None
    return Report(items, share, voices)
