"""An example payload for an event, written from its declared properties, so it always shows the
current name and properties (a stored example goes stale after a rename or a new property).

Pure Python with no Django import.
"""

import re

_NUMBER_HINTS = {
    "price": 19.99,
    "revenue": 42.5,
    "amount": 25.0,
    "total": 42.5,
    "value": 10.0,
    "discount": 5.0,
    "tax": 3.8,
    "shipping": 4.95,
    "rating": 4.5,
    "percent": 50.0,
    "duration": 12.5,
    "latitude": 52.52,
    "longitude": 13.405,
}
_INTEGER_HINTS = {
    "quantity": 2,
    "count": 3,
    "position": 1,
    "index": 1,
    "step": 2,
    "page": 1,
    "age": 34,
    "size": 20,
    "seconds": 30,
}
_STRING_HINTS = (
    ("email", "ada@example.com"),
    ("currency", "EUR"),
    ("country", "DE"),
    ("locale", "en-GB"),
    ("language", "en"),
    ("url", "https://shop.example.com/products/42"),
    ("path", "/products/42"),
    ("referrer", "https://www.example.org/"),
    ("platform", "web"),
    ("os", "iOS 18"),
    ("version", "4.2.0"),
    ("query", "running shoes"),
    ("term", "running shoes"),
    ("name", "Trail Runner 2"),
    ("title", "Trail Runner 2"),
    ("category", "Footwear"),
    ("method", "card"),
    ("plan", "pro"),
    ("coupon", "SPRING10"),
    ("code", "SPRING10"),
    ("status", "active"),
)


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def example_value(name: str, type_: str, allowed_values=(), pattern: str = ""):
    """A plausible value for one property: its first allowed value, else one its name suggests."""
    if allowed_values:
        return allowed_values[0]
    words = _words(name)
    if type_ == "boolean":
        return True
    if type_ == "integer":
        return next((v for w, v in _INTEGER_HINTS.items() if w in words), 1)
    if type_ == "number":
        return next((v for w, v in _NUMBER_HINTS.items() if w in words), 1.5)
    if type_ == "datetime":
        return "2026-03-14T09:26:53Z"
    if type_ == "object":
        return {}
    if type_ == "array":
        return []
    if words and words[-1] == "id":
        stem = "-".join(words[:-1]) or "id"
        return f"{stem}-1042"
    for hint, value in _STRING_HINTS:
        if hint in words:
            return value
    return " ".join(words) or "example"


def example_payload(event_name: str, properties: list[dict]) -> dict:
    """`properties` are dicts with name, type and optionally allowed_values and pattern."""
    return {
        "event": event_name,
        "properties": {
            p["name"]: example_value(
                p["name"],
                p.get("type", "string"),
                p.get("allowed_values") or (),
                p.get("pattern", ""),
            )
            for p in properties
        },
    }
