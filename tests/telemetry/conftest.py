import pytest

from telemetry import services


@pytest.fixture
def register(world):
    """register(name, team=world.team, by=world.member, **fields) -> Event, through the real service."""

    def make(name, *, team=None, by=None, **fields):
        return services.event_register(
            team=team or world.team, name=name, by=by or world.member, **fields
        )

    return make
