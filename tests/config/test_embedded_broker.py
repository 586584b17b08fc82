"""The embedded broker (config/broker.py) under several processes: no message is read half
written (kombu#1551 stopped the worker of `make run` under load), none is taken twice, none is
lost, and a file that cannot be read is set aside instead of stopping the worker."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from config.broker import Channel, remove_stale_temporary_files

QUEUE = "relais-test"


@pytest.fixture(autouse=True)
def _list_at_every_take(monkeypatch):
    """What a consumer sees at once: no pause between listings, except where a test says so."""
    monkeypatch.setattr(Channel, "relist_after", 0)


def _options(root: Path) -> dict:
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
        "store_processed": False,
        "polling_interval": 0.01,
    }


def _connection(root: Path) -> Connection:
    for folder in ("queue", "processed", "control"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return Connection(
        "filesystem://", transport="config.broker:Transport", transport_options=_options(root)
    )


def test_the_embedded_default_uses_this_transport(settings):
    from config.celery import app

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("CI's second pass runs on Redis")
    with app.connection_for_write() as connection:
        assert isinstance(connection.default_channel, Channel)


def test_a_message_is_never_seen_half_written(tmp_path, monkeypatch):
    """kombu's transport creates the file, then writes it: a consumer in between read nothing
    and the worker stopped with JSONDecodeError."""
    with _connection(tmp_path) as publisher, _connection(tmp_path) as consumer:
        seen_while_writing = []
        real_fsync = os.fsync

        def consume_meanwhile(fd: int) -> None:
            try:
                seen_while_writing.append(consumer.default_channel._get(QUEUE))
            except Empty:
                seen_while_writing.append("nothing")
            real_fsync(fd)

        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", consume_meanwhile)
            publisher.default_channel._put(QUEUE, {"body": "whole"})

        assert seen_while_writing == ["nothing"]
        assert consumer.default_channel._get(QUEUE) == {"body": "whole"}
        with pytest.raises(Empty):
            consumer.default_channel._get(QUEUE)


def test_messages_are_taken_in_the_order_they_were_published(tmp_path, monkeypatch):
    """Names sort as text: the clock in them has a fixed width, so that a message published at
    12 ms is not taken before one published at 9 ms, nor one from after a reboot first."""
    import config.broker

    with _connection(tmp_path) as connection:
        with monkeypatch.context() as patch:
            for clock, body in ((9_000_000, "first"), (12_000_000, "second"), (10**19, "third")):
                patch.setattr(config.broker, "time_ns", lambda clock=clock: clock)
                connection.default_channel._put(QUEUE, {"body": body})

        taken = [connection.default_channel._get(QUEUE)["body"] for _ in range(3)]
        assert taken == ["first", "second", "third"]


def test_a_backlog_is_listed_once_per_batch_not_once_per_message(tmp_path, monkeypatch):
    """Listing and sorting 10,000 message files took ~10 ms a message: a backlog slowed its
    own draining (the soak's queue grew past 10,000 under six clients)."""
    with _connection(tmp_path) as publisher, _connection(tmp_path) as consumer:
        for number in range(50):
            publisher.default_channel._put(QUEUE, {"n": number})
        listings = []
        real_listdir = os.listdir
        monkeypatch.setattr(os, "listdir", lambda path: listings.append(path) or real_listdir(path))

        taken = [consumer.default_channel._get(QUEUE)["n"] for _ in range(50)]
        assert taken == list(range(50))
        assert len(listings) == 1

        publisher.default_channel._put(QUEUE, {"n": "late"})  # after the listing: still seen
        assert consumer.default_channel._get(QUEUE) == {"n": "late"}
        with pytest.raises(Empty):
            consumer.default_channel._get(QUEUE)


def test_an_empty_queue_polled_in_turn_does_not_list_the_folder_at_every_poll(
    tmp_path, monkeypatch
):
    """The worker polls its remote-control queue in turn with the task queue: with a backlog in
    the folder each poll of the empty queue listed 10,000 files (the worker's main process at
    100% of a core, draining 45 tasks a second)."""
    import config.broker

    monkeypatch.setattr(Channel, "relist_after", 0.05)
    clock = [100.0]
    monkeypatch.setattr(config.broker, "monotonic", lambda: clock[0])
    with _connection(tmp_path) as connection:
        for number in range(20):
            connection.default_channel._put(QUEUE, {"n": number})
        listings = []
        real_listdir = os.listdir
        monkeypatch.setattr(os, "listdir", lambda path: listings.append(path) or real_listdir(path))

        for _ in range(10):
            assert connection.default_channel._get(QUEUE) is not None
            with pytest.raises(Empty):
                connection.default_channel._get("celery@here.celery.pidbox")
        assert len(listings) == 1

        clock[0] += 0.06
        with pytest.raises(Empty):
            connection.default_channel._get("celery@here.celery.pidbox")
        assert len(listings) == 2


def test_messages_another_consumer_took_are_skipped(tmp_path):
    with _connection(tmp_path) as first, _connection(tmp_path) as second:
        for number in range(4):
            first.default_channel._put(QUEUE, {"n": number})
        assert first.default_channel._get(QUEUE) == {"n": 0}  # first lists all four
        assert [second.default_channel._get(QUEUE)["n"] for _ in range(2)] == [1, 2]

        assert first.default_channel._get(QUEUE) == {"n": 3}
        with pytest.raises(Empty):
            first.default_channel._get(QUEUE)


def test_an_unreadable_message_is_set_aside_and_the_next_one_delivered(tmp_path, caplog):
    with _connection(tmp_path) as connection:
        broken = f"{0:020d}_broken.{QUEUE}.msg"  # older than any message published now
        (tmp_path / "queue" / broken).write_bytes(b'{"trunc')
        connection.default_channel._put(QUEUE, {"body": "next"})

        assert connection.default_channel._get(QUEUE) == {"body": "next"}
        assert [p.name for p in (tmp_path / "rejected").iterdir()] == [broken]
        assert "set aside" in caplog.text


def test_stale_temporary_files_are_cleared_and_fresh_ones_kept(tmp_path):
    stale = tmp_path / ".1_a.q.msg.0f.tmp"
    fresh = tmp_path / ".2_b.q.msg.1e.tmp"
    stale.write_bytes(b"")
    fresh.write_bytes(b"")
    os.utime(stale, (0, 0))

    assert remove_stale_temporary_files(tmp_path) == 1
    assert not stale.exists()
    assert fresh.exists()


PUBLISHERS, CONSUMERS, EACH = 3, 3, 400


def _publish(root: str, first: int) -> None:
    with _connection(Path(root)) as connection:
        queue = connection.SimpleQueue(QUEUE)
        for number in range(first, first + EACH):
            queue.put({"n": number})


def _consume(root: str, out: str, total: int) -> None:
    received = []
    with _connection(Path(root)) as connection:
        queue = connection.SimpleQueue(QUEUE)
        idle = 0
        while idle < 40:
            try:
                message = queue.get(timeout=0.05)
            except Empty:
                idle += 1
                continue
            idle = 0
            received.append(message.payload["n"])
            message.ack()
    Path(out).write_text(" ".join(map(str, received)))


@pytest.mark.slow
def test_several_processes_publish_and_consume_every_message_exactly_once(tmp_path):
    context = multiprocessing.get_context("fork")
    total = PUBLISHERS * EACH
    consumers = [
        context.Process(target=_consume, args=(str(tmp_path), str(tmp_path / f"got-{i}"), total))
        for i in range(CONSUMERS)
    ]
    publishers = [
        context.Process(target=_publish, args=(str(tmp_path), i * EACH)) for i in range(PUBLISHERS)
    ]
    for process in consumers + publishers:
        process.start()
    for process in publishers + consumers:
        process.join(timeout=120)
        assert process.exitcode == 0

    received = [
        int(n) for i in range(CONSUMERS) for n in (tmp_path / f"got-{i}").read_text().split()
    ]
    assert len(received) == total
    assert sorted(received) == list(range(total))
    assert not (tmp_path / "rejected").exists()
    assert sum(1 for _ in (tmp_path / "queue").iterdir()) == 0
