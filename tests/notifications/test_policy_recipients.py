"""Who receives an escalation: heads up the department tree, else the admins."""

from __future__ import annotations

import pytest

from tracker.notifications.policy import DepartmentFacts, Organisation, escalation_recipients

ADMINS = (901, 900)


def dept(id: int, parent_id: int | None, head_id: int | None) -> DepartmentFacts:
    return DepartmentFacts(id=id, parent_id=parent_id, head_id=head_id)


# 1 Ministry (head 100)
# └── 2 Division (head 200)
#     ├── 3 Unit (head 300)
#     └── 4 Unit without a head
# 6 Agency (head 600), no parent
# 7 <-> 8 a loop (heads 700, 800); 9 points at a department that does not exist
# 10 (head 1000) under 11 (also head 1000) under 1
ORG = Organisation(
    departments={
        d.id: d
        for d in (
            dept(1, None, 100),
            dept(2, 1, 200),
            dept(3, 2, 300),
            dept(4, 2, None),
            dept(6, None, 600),
            dept(7, 8, 700),
            dept(8, 7, 800),
            dept(9, 99, 990),
            dept(10, 11, 1000),
            dept(11, 1, 1000),
            dept(12, 12, None),
        )
    },
    user_departments={
        1: 3,
        2: 4,
        3: 6,
        4: None,
        7: 7,
        9: 9,
        10: 10,
        12: 12,
        100: 1,
        200: 2,
        300: 3,
        900: None,
    },
    admin_ids=ADMINS,
)
TO_ADMINS = (900, 901)


@pytest.mark.parametrize(
    ("owners", "level", "expected"),
    [
        pytest.param((1,), 1, (300,), id="level-1-head-of-own-department"),
        pytest.param((1,), 2, (200,), id="level-2-head-of-parent"),
        pytest.param((1,), 3, (100,), id="level-3-two-steps-up"),
        pytest.param((1,), 4, TO_ADMINS, id="beyond-the-top-admins"),
        pytest.param((300,), 1, (200,), id="owner-is-head-goes-to-superior"),
        pytest.param((300,), 2, (100,), id="owner-is-head-level-2"),
        pytest.param((300,), 3, TO_ADMINS, id="owner-is-head-level-3-admins"),
        pytest.param((200,), 1, (100,), id="division-head-to-minister"),
        pytest.param((100,), 1, TO_ADMINS, id="top-head-to-admins"),
        pytest.param((1, 300), 1, (200,), id="owner-and-their-head-both-own"),
        pytest.param((1, 200), 1, (100, 300), id="owner-and-grand-head-both-own"),
        pytest.param((1, 200), 2, (100, *TO_ADMINS), id="owner-and-grand-head-level-2"),
        pytest.param((2,), 1, (200,), id="no-head-skips-up"),
        pytest.param((2,), 2, (100,), id="no-head-skips-up-level-2"),
        pytest.param((1, 3), 1, (300, 600), id="two-departments"),
        pytest.param((1, 3), 2, (200, *TO_ADMINS), id="two-departments-one-runs-out"),
        pytest.param((1, 2), 1, (200, 300), id="sibling-units"),
        pytest.param((1, 2), 2, (100, 200), id="sibling-units-level-2"),
        pytest.param((3,), 2, TO_ADMINS, id="no-parent-admins"),
        pytest.param((4,), 1, TO_ADMINS, id="owner-without-department"),
        pytest.param((5,), 1, TO_ADMINS, id="owner-unknown-to-the-organisation"),
        pytest.param((9,), 1, (990,), id="dangling-parent-level-1"),
        pytest.param((9,), 2, TO_ADMINS, id="dangling-parent-is-the-top"),
        pytest.param((7,), 1, (700,), id="cycle-level-1"),
        pytest.param((7,), 2, (800,), id="cycle-level-2"),
        pytest.param((7,), 3, TO_ADMINS, id="cycle-stops-then-admins"),
        pytest.param((12,), 1, TO_ADMINS, id="headless-self-parent"),
        pytest.param((10,), 1, (1000,), id="same-head-twice-level-1"),
        pytest.param((10,), 2, (100,), id="same-head-twice-counts-once"),
        pytest.param((900,), 1, (901,), id="owner-admin-excluded"),
        pytest.param((), 1, (), id="no-owners"),
    ],
)
def test_escalation_recipients(
    owners: tuple[int, ...], level: int, expected: tuple[int, ...]
) -> None:
    assert escalation_recipients(owners, level, ORG) == expected


def test_owners_never_receive_their_own_escalation() -> None:
    # 200 owns the task with someone in department 3: 200 would be that owner's level 2.
    for level in range(1, 6):
        assert 200 not in escalation_recipients((1, 200), level, ORG)


def test_with_no_admins_running_out_of_tree_gives_nobody() -> None:
    org = Organisation(ORG.departments, ORG.user_departments, admin_ids=())
    assert escalation_recipients((100,), 1, org) == ()
    assert escalation_recipients((4,), 1, org) == ()


def test_any_iterable_of_owners_is_accepted() -> None:
    assert escalation_recipients([1, 1], 1, ORG) == escalation_recipients((1,), 1, ORG)
    assert escalation_recipients({1}, 1, ORG) == (300,)


def test_levels_start_at_one() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        escalation_recipients((1,), 0, ORG)
