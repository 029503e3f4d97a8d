from html.parser import HTMLParser

from strategy import rendering, voting


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_the_order_is_stable_per_person_and_differs_between_people():
    ids = list(range(1, 30))
    mine = voting.shuffled(ids, user_id=7, strategy_id=3)
    assert mine == voting.shuffled(list(reversed(ids)), user_id=7, strategy_id=3)
    assert sorted(mine) == ids
    assert mine != voting.shuffled(ids, user_id=8, strategy_id=3)
    assert mine != voting.shuffled(ids, user_id=7, strategy_id=4)


def test_the_budget_refuses_the_vote_past_the_limit():
    assert voting.check_budget(5, 4) == ""
    assert "all 5 of your votes" in voting.check_budget(5, 5)
    assert voting.remaining(5, 7) == 0


def test_malicious_markdown_comes_out_harmless():
    html = rendering.render(
        "<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n"
        '<a href="https://x" onclick="steal()">x</a>\n\n![p](https://example.com/p.png)\n\n**fine** [ok](https://example.com)'
    )
    elements = _elements(html)
    tags = {tag for tag, _ in elements}
    assert not tags & {"script", "img", "iframe"}
    assert not [a for _, attrs in elements for a in attrs if a.startswith("on")]
    assert not [
        attrs for _, attrs in elements if (attrs.get("href") or "").startswith("javascript")
    ]
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert "<strong>fine</strong>" in html
    assert 'href="https://example.com"' in html and "noopener" in html


def test_too_long_names_the_limit():
    assert rendering.too_long("x" * 10) == ""
    message = rendering.too_long("x" * 1_048_576)
    assert "1,048,576" in message and "200,000" in message
