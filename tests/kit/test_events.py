from service.kit.events.fanout import Broadcaster
from service.kit.events.log import Event, invitations_feed, project_feed


def event(n: int) -> Event:
    return Event(id=n, project_id=1, event="task.deleted", data=f'{{"id": {n}}}')


async def test_a_stream_that_falls_behind_is_closed_with_nothing_past_the_gap() -> None:
    broadcaster = Broadcaster(size=3)
    with broadcaster.subscribe(project_feed(1)) as slow, broadcaster.subscribe(project_feed(1)) as fast:
        broadcaster.publish([event(1), event(2)])
        assert [await fast.next(), await fast.next()] == [event(1), event(2)]
        broadcaster.publish([event(3), event(4), event(5)])
        # The slow one holds 1, 2, 3 when 4 arrives: it is closed, and delivers nothing after.
        assert await slow.next() is None
        assert slow.queue.empty()
        assert [await fast.next() for _ in range(3)] == [event(3), event(4), event(5)]
    assert broadcaster.open_streams == 0


async def test_close_all_ends_every_stream() -> None:
    broadcaster = Broadcaster()
    with broadcaster.subscribe(project_feed(1)) as one, broadcaster.subscribe(project_feed(2)) as two:
        broadcaster.publish([event(1)])
        broadcaster.close_all()
        assert await one.next() is None and await two.next() is None
        broadcaster.publish([event(2)])
        assert one.queue.empty()


async def test_after_shutdown_a_new_subscription_is_already_closed() -> None:
    broadcaster = Broadcaster()
    with broadcaster.subscribe(project_feed(1)) as before:
        broadcaster.shut_down()
        with broadcaster.subscribe(project_feed(1)) as after:
            assert await before.next() is None
            assert await after.next() is None


async def test_an_invitation_event_goes_to_its_project_and_its_invitee() -> None:
    broadcaster = Broadcaster()
    invited = Event(id=7, project_id=1, event="invitation.created", data="{}", invitee_id=5)
    with (
        broadcaster.subscribe(project_feed(1)) as project,
        broadcaster.subscribe(invitations_feed(5)) as invitee,
        broadcaster.subscribe(invitations_feed(1)) as other,
    ):
        broadcaster.publish([event(1), invited])
        assert [await project.next(), await project.next()] == [event(1), invited]
        assert await invitee.next() == invited and invitee.queue.empty()
        assert other.queue.empty()
