"""Private receipts for anonymous points: the author can find, withdraw and follow their point,
while the point itself stores no author.

A point written anonymously keeps, beside its text, one keyed hash:
HMAC(key derived from SECRET_KEY, "<author's user id>:<point's public id>"). Nothing else links
the two. When a signed-in person opens a strategy, the server recomputes that hash for them
against each anonymous point and shows them the ones that match. Nobody can ask "whose is this
point?" through the portal: no page, endpoint, export or admin screen takes a point and returns
a person; the only question it answers is "which of these are mine?", and only for the person
asking. See README.md, "Anonymous feedback and what it protects against", for what a database
administrator could still infer.
"""

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "strategy.anonymous-point-receipt"


def receipt_for(user_id: int, public_id) -> str:
    return salted_hmac(_SALT, f"{user_id}:{public_id}", algorithm="sha256").hexdigest()


def is_mine(point, user) -> bool:
    if not point.is_anonymous or not point.receipt or not user.is_authenticated:
        return False
    return constant_time_compare(point.receipt, receipt_for(user.pk, point.public_id))
