from strategy import sections

DOC = """Why this matters now.

## Diagnosis
Checkout conversion fell.

## Guiding policy
Mobile first.

```
## not a heading inside code
```

### Bets
Wallets.

#### Detail stays inside its parent
Small print.
"""


def test_it_splits_on_headings_but_not_inside_code_blocks():
    parts = sections.split(DOC)
    assert [s.slug for s in parts] == ["intro", "diagnosis", "guiding-policy", "bets"]
    assert "## not a heading inside code" in parts[2].body
    assert "Small print." in parts[3].body


def test_duplicate_headings_get_distinct_slugs():
    parts = sections.split("## Risks\na\n\n## Risks\nb\n")
    assert [s.slug for s in parts] == ["risks", "risks-2"]


def test_a_section_keeps_its_key_when_its_heading_is_unchanged():
    old = sections.assign_keys(sections.split(DOC))
    new = sections.assign_keys(sections.split(DOC.replace("Wallets.", "Wallets and cards.")), old)
    assert [s.key for s in new] == [s.key for s in old]


def test_a_renamed_section_keeps_its_key_by_content_similarity():
    old = sections.assign_keys(sections.split(DOC))
    renamed = DOC.replace("## Diagnosis", "## The challenge")
    new = sections.assign_keys(sections.split(renamed), old)
    assert new[1].heading == "The challenge"
    assert new[1].key == "diagnosis"


def test_a_new_section_never_reuses_the_key_of_a_removed_one():
    sections.assign_keys(sections.split("## Bets\nWallets everywhere for everyone.\n"))
    new = sections.assign_keys(
        sections.split("## Bets\nSomething completely different and unrelated here.\n"),
        [],
        taken={"bets"},
    )
    assert new[0].key == "bets-2"


def test_the_diff_marks_added_removed_and_changed_sections():
    old = sections.assign_keys(sections.split("## A\none\n\n## B\ntwo\n\n## C\nthree\n"))
    new = sections.assign_keys(
        sections.split("## A\none\n\n## C\nthree, revised\n\n## D\nfour\n"), old
    )
    result = {d.key: d.status for d in sections.diff(old, new)}
    assert result == {"a": "unchanged", "b": "removed", "c": "changed", "d": "added"}
    changed = next(d for d in sections.diff(old, new) if d.key == "c")
    assert ("three", "three, revised") in [
        (r.left, r.right) for r in changed.rows if r.tag == "replace"
    ]


def test_removed_sections_appear_where_they_were():
    old = sections.assign_keys(sections.split("## A\none\n\n## B\ntwo\n\n## C\nthree\n"))
    new = sections.assign_keys(sections.split("## A\none\n\n## C\nthree\n"), old)
    assert [d.key for d in sections.diff(old, new)] == ["a", "b", "c"]
