"""Rules a team adds on top of the organisation's convention for its own events: a name prefix
and properties every event must declare. They only ever add warnings, never remove one.

Pure Python with no Django import.
"""

from collections.abc import Iterable
from dataclasses import dataclass

PREFIX_RULE = "team-prefix"
REQUIRED_RULE = "team-required-property"


@dataclass(frozen=True)
class TeamRules:
    team: str = ""
    prefix: str = ""
    required_properties: tuple = ()

    @property
    def active(self) -> bool:
        return bool(self.prefix or self.required_properties)

    def violations(self, name: str, property_names: Iterable[str] | None) -> list[dict]:
        """What the team's own rules say about an event; property_names None skips that check."""
        found = []
        if self.prefix and not name.startswith(self.prefix):
            found.append(
                {
                    "rule": PREFIX_RULE,
                    "message": f"{self.team} starts every event name with “{self.prefix}”.",
                    "part": name,
                }
            )
        if self.required_properties and property_names is not None:
            have = set(property_names)
            missing = [p for p in self.required_properties if p not in have]
            if missing:
                listed = ", ".join(f"“{p}”" for p in missing)
                found.append(
                    {
                        "rule": REQUIRED_RULE,
                        "message": f"{self.team}'s events all send {listed}; "
                        f"declare {'it' if len(missing) == 1 else 'them'} on this event.",
                        "part": ", ".join(missing),
                    }
                )
        return found

    def prefixed(self, name: str) -> str:
        return name if not self.prefix or name.startswith(self.prefix) else self.prefix + name
