"""The agenda generator on constructed disagreement patterns."""

from strategy import agenda


def c(key, weight, disposition=""):
    return agenda.Candidate(key, "section", key.title(), weight, "split", disposition)


def test_only_split_blocking_or_unclear_subjects_get_time_the_rest_are_settled_in_writing():
    out = agenda.propose(
        [c("calm", 0, "2 adopted"), c("hot", 0.9), c("warm", 0.3), c("quiet", 0, "no points")],
        meeting_minutes=60,
    )
    assert [s.key for s in out.slots] == ["hot", "warm"]
    assert [(s.key, s.disposition) for s in out.settled] == [
        ("calm", "2 adopted"),
        ("quiet", "no points"),
    ]


def test_time_is_in_proportion_to_disagreement_and_fills_the_meeting_exactly():
    out = agenda.propose([c("a", 0.9), c("b", 0.3), c("d", 0.3)], meeting_minutes=60)
    minutes = {s.key: s.minutes for s in out.slots}
    assert out.wrap_up == 6 and out.minutes == 60
    assert minutes["a"] > minutes["b"] == minutes["d"] >= agenda.MIN_SLOT
    # 54 minutes: 15 as floors, 39 split 3:1:1 -> 23.4, 7.8, 7.8 -> largest remainders.
    assert minutes == {"a": 28, "b": 13, "d": 13}


def test_when_too_much_is_split_the_most_split_go_first_and_the_rest_did_not_fit():
    cands = [c(f"s{i}", w) for i, w in enumerate([0.2, 0.9, 0.5, 0.7, 0.1])]
    out = agenda.propose(cands, meeting_minutes=20)  # 18 minutes: three slots of five
    assert [s.key for s in out.slots] == ["s1", "s3", "s2"]
    assert {s.key for s in out.settled} == {"s0", "s4"}
    assert all(s.disposition == agenda.DID_NOT_FIT for s in out.settled)
    assert out.minutes == 20


def test_nothing_split_means_no_agenda_and_no_time_taken():
    out = agenda.propose([c("a", 0, "1 adopted")], meeting_minutes=30)
    assert out.slots == [] and out.minutes == 0 and len(out.settled) == 1
