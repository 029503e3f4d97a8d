"""Grouping points that say the same thing in other words (pure)."""

from strategy.clustering import Item, cluster, similarity


def test_rewordings_of_one_concern_group_and_different_concerns_do_not():
    items = [
        Item("a", "concern", "Wallet fees will eat the margin on small orders."),
        Item("b", "pushback", "The margin on small orders gets eaten by the wallet fees."),
        Item("c", "risk", "Small orders lose their margin to wallet fees"),
        Item("d", "concern", "Guest buyers never sign in, so they have no saved wallet."),
        Item("e", "question", "What do wallet fees cost per order?"),
    ]
    assert cluster(items) == [["a", "b", "c"]]


def test_questions_only_group_with_questions():
    items = [
        Item("q1", "question", "Does mobile include the mobile web?"),
        Item("q2", "question", "Is the mobile web included in mobile?"),
        Item("c1", "concern", "Mobile web is not included in mobile"),
    ]
    assert cluster(items) == [["q1", "q2"]]


def test_empty_or_stopword_only_text_is_never_alike():
    assert similarity("it is what it is", "this is it") == 0.0
    assert cluster([Item("a", "concern", "no"), Item("b", "concern", "no")]) == []
