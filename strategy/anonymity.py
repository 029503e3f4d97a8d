"""The k floor for anonymous points. Pure Python, no Django.

An anonymous point names only a team. A team with fewer than K people who answered
would narrow the author to one or two people, so its anonymous points are not shown
under its name: they join one "across teams" pool with every other small team's, shown
once the pool's distinct voices reach K. From the window's close the voices are a
snapshot, so nobody can move a point in or out of sight by changing a team's membership.
"""

from dataclasses import dataclass, field

K = 3
POOL_LABEL = "across teams"


@dataclass(frozen=True)
class Floor:
    # Teams with at least K voices: their anonymous points show the team's name.
    big_teams: frozenset[int] = field(default_factory=frozenset)
    # Distinct people who answered from any other audience team.
    pool_voices: int = 0
    # Whether any audience team is below K: known from the voices alone, not from any point.
    has_small_teams: bool = False

    @property
    def pool_shown(self) -> bool:
        return self.pool_voices >= K

    def is_pooled(self, team_id: int | None) -> bool:
        """Any team not known to be big is small: an unknown team must never be named."""
        return team_id not in self.big_teams

    def is_withheld(self, team_id: int | None) -> bool:
        return self.is_pooled(team_id) and not self.pool_shown

    @property
    def may_withhold(self) -> bool:
        """Whether anonymous points of small teams would be withheld, whether or not any exist.

        Pages say this rather than how many are withheld: a count of one, from a team of one,
        would tell everyone who wrote an anonymous point.
        """
        return self.has_small_teams and not self.pool_shown


def decide(team_voices: dict[int, int], pool_voices: int) -> Floor:
    """`team_voices`: voices per audience team; `pool_voices`: distinct people who answered
    from the teams below K."""
    return Floor(
        big_teams=frozenset(t for t, n in team_voices.items() if n >= K),
        pool_voices=pool_voices,
        has_small_teams=any(n < K for n in team_voices.values()),
    )


def figures_shown(voices: int) -> bool:
    """Per-team figures during the window only where they cannot point at one or two people."""
    return voices >= K
