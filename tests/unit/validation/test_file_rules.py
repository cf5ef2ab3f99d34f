"""Rules over the whole file: repeated keys and the PreviousContactId chain limit."""

from __future__ import annotations

from bulkload.connect import model
from bulkload.records import Problem
from bulkload.validation import FileRules
from tests.unit.validation.helpers import mapped


def test_repeated_keys_are_reported_from_the_second_occurrence() -> None:
    rules = FileRules(check_duplicate_keys=True)
    assert rules.check(mapped(1, "A-1")) == ()
    assert rules.check(mapped(3, "A-17")) == ()
    assert rules.check(mapped(4, "a-17")) == ()
    assert rules.check(mapped(9, "A-17")) == (
        Problem(None, "key 'A-17' appears again (first on row 3)", "Row"),
    )
    assert rules.check(mapped(12, "A-17")) == (
        Problem(None, "key 'A-17' appears again (first on row 3)", "Row"),
    )


def test_keys_are_not_checked_unless_asked() -> None:
    rules = FileRules(check_duplicate_keys=False)
    assert rules.check(mapped(1, "x")) == ()
    assert rules.check(mapped(2, "x")) == ()


def test_the_previous_contact_chain_limit() -> None:
    rules = FileRules(check_duplicate_keys=False)
    limit = model.PREVIOUS_CONTACT_CHAIN_LIMIT
    results = [rules.check(mapped(i, str(i), PreviousContactId="abc")) for i in range(1, limit + 3)]
    assert results[:limit] == [()] * limit
    expected = (
        Problem(
            "PreviousContactId",
            f"more than {limit} tasks would share 'abc' (the service allows {limit})",
            "PreviousContactId",
        ),
    )
    assert results[limit:] == [expected, expected]
    assert rules.check(mapped(99, "99", PreviousContactId="other")) == ()


def test_a_custom_chain_limit() -> None:
    rules = FileRules(check_duplicate_keys=False, chain_limit=1)
    assert rules.check(mapped(1, "1", PreviousContactId="p")) == ()
    assert rules.check(mapped(2, "2", PreviousContactId="p"))[0].message == (
        "more than 1 tasks would share 'p' (the service allows 1)"
    )


def test_a_repeated_row_does_not_count_towards_a_chain() -> None:
    rules = FileRules(check_duplicate_keys=True, chain_limit=2)
    assert rules.check(mapped(1, "k1", PreviousContactId="p")) == ()
    assert rules.check(mapped(2, "k1", PreviousContactId="p")) != ()
    assert rules.check(mapped(3, "k3", PreviousContactId="p")) == ()
