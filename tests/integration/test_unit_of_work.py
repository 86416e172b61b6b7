"""What waits for a unit of work's commit (the audit entries of a change) runs only once it is kept."""

from __future__ import annotations

from collections.abc import Callable

from app.db.unit_of_work import SqlUnitOfWork

NewUow = Callable[[], SqlUnitOfWork]


def test_an_action_waits_for_the_commit_and_a_rollback_drops_it(new_uow: NewUow) -> None:
    ran: list[str] = []
    uow = new_uow()
    with uow:
        uow.on_commit(lambda: ran.append("rolled back"))
        uow.rollback()
        uow.on_commit(lambda: ran.append("committed"))
        assert ran == []
        uow.commit()
    assert ran == ["committed"]


def test_closing_without_a_commit_drops_the_actions(new_uow: NewUow) -> None:
    ran: list[str] = []
    uow = new_uow()
    with uow:
        uow.on_commit(lambda: ran.append("never"))
    with uow:
        uow.commit()
    assert ran == []


def test_a_deferred_commit_runs_them_at_the_real_commit_once(new_uow: NewUow) -> None:
    ran: list[str] = []
    uow = new_uow()
    with uow.deferred_commit():
        with uow:
            uow.on_commit(lambda: ran.append("created"))
            uow.commit()
        assert ran == []
    assert ran == ["created"]
    uow.commit()
    uow.close()
    assert ran == ["created"]
