"""The in-flight gate under cancellation and stop: first come, first served, no slot lost, no waiter left behind."""

from __future__ import annotations

import asyncio

import pytest

from bulkload.pool.gate import InFlightGate
from bulkload.pool.signals import Stopped


async def _spin() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def _hold(gate: InFlightGate, entered: list[str], name: str, release: asyncio.Event) -> None:
    async with gate:
        entered.append(name)
        await release.wait()


async def _gate_held_by_one() -> tuple[InFlightGate, list[str], asyncio.Task[None], asyncio.Event]:
    """A gate of size 1 whose slot a "holder" task holds until the returned event is set."""
    gate = InFlightGate(maximum=10, initial=4)
    gate.limit = 1  # resize() never goes below 4; a size of 1 shows the order plainly
    release = asyncio.Event()
    entered: list[str] = []
    holder = asyncio.create_task(_hold(gate, entered, "holder", release))
    await _spin()
    return gate, entered, holder, release


async def test_the_gate_is_first_come_first_served() -> None:
    gate = InFlightGate(maximum=10, initial=4)
    gate.limit = 1  # resize() never goes below 4; a size of 1 shows the order plainly
    entered: list[str] = []
    release = asyncio.Event()
    tasks = [asyncio.create_task(_hold(gate, entered, n, release)) for n in "abc"]
    await _spin()
    assert entered == ["a"]
    gate.limit = 2
    gate._grant()
    await _spin()
    assert entered == ["a", "b"]
    release.set()
    await asyncio.gather(*tasks)
    assert entered == ["a", "b", "c"]
    assert gate.in_flight == 0


async def test_a_waiter_cancelled_just_before_a_slot_frees_leaves_the_gate_whole() -> None:
    """The freed slot's _grant pops and skips the cancelled waiter before it runs its handler; the handler
    must not remove it again: that would raise ValueError and swallow the cancellation."""
    gate, entered, holder, _ = await _gate_held_by_one()
    later_release = asyncio.Event()
    cancelled = asyncio.create_task(_hold(gate, entered, "cancelled", asyncio.Event()))
    later = asyncio.create_task(_hold(gate, entered, "later", later_release))
    await _spin()

    cancelled.cancel()  # its waiter is cancelled now; its handler runs on the next loop turn
    gate._release()  # ...but a slot frees first (as the holder's exit would)
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await _spin()
    assert entered == ["holder", "later"]
    assert gate.in_flight == 1
    later_release.set()
    holder.cancel()
    await asyncio.gather(later, holder, return_exceptions=True)


async def test_closing_the_gate_releases_every_waiter_and_refuses_newcomers() -> None:
    gate, entered, holder, release = await _gate_held_by_one()
    waiters = [asyncio.create_task(_hold(gate, entered, str(i), release)) for i in range(3)]
    await _spin()

    gate.close()
    for waiter in waiters:
        with pytest.raises(Stopped):
            await waiter
    with pytest.raises(Stopped):
        await _hold(gate, entered, "newcomer", release)
    release.set()
    await holder
    assert entered == ["holder"]
    assert gate.in_flight == 0
