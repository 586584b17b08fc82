"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's own (5.7) creates a message file and then writes it, and a consumer may pick the file up
in between and read nothing: ``JSONDecodeError``, an "unrecoverable error" that stops the worker
(celery/kombu#1551). It also moves taken messages to the system's temporary folder, which is a
copy, not a rename, when that folder is another file system (two consumers may then both take the
same message), and rewrites the exchange table in place while others read it.

Here every file appears whole or not at all: it is written under a temporary name and renamed
(``os.replace`` is atomic within a folder); a consumer takes a message by renaming it into the
"processed" folder beside the queue (only one rename can win); a message that cannot be read
anyway (a disk that filled up) is set aside in ``rejected/`` and logged, never fatal.

Delivery stays at most once per message, as with kombu's: a worker killed while it runs a task
loses that message. Nothing is lost for it: the outbox rows in the database are the truth, and the
delivery sweep sends what a lost message did not (see README, "Delivery guarantees").
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections import deque
from pathlib import Path
from queue import Empty
from time import monotonic, time, time_ns
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

_NOTHING = object()

# A temporary file older than this was left by a process killed while writing it.
STALE_TEMPORARY_SECONDS = 60 * 60


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees all of it or no file at all."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class Channel(filesystem.Channel):
    # At most one listing of the folder this often. Listing and sorting 10,000 message files costs
    # ~10 ms: once per message a backlog slowed its own draining, and a queue with nothing in it
    # (the worker's remote-control queue, polled in turn with the others) had the folder listed at
    # every poll. A message published meanwhile waits this long at most.
    relist_after = 0.05

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The last listing, each queue's names oldest first. A name another consumer took since is
        # skipped when its rename fails.
        self._listed: dict[str, deque[str]] = {}
        self._listed_at = -float("inf")

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # Consumers take files in name order: a fixed-width wall clock keeps that the order of
        # publication across restarts (kombu's unpadded monotonic milliseconds sort "12_" before
        # "9_", and restart from zero at each boot).
        name = f"{time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_whole(Path(self.data_folder_out) / name, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add {name!r} to the queue") from exc

    def _list(self) -> None:
        listed: dict[str, deque[str]] = {}
        for name in sorted(os.listdir(self.data_folder_in)):
            queue, dot, extension = name.partition(".")[2].rpartition(".")
            if not name.startswith(".") and dot and extension == "msg":
                listed.setdefault(queue, deque()).append(name)
        self._listed, self._listed_at = listed, monotonic()

    def _get(self, queue: str) -> Any:
        found = self._take_first(self._listed.get(queue))
        if found is _NOTHING and monotonic() - self._listed_at >= self.relist_after:
            self._list()
            found = self._take_first(self._listed.get(queue))
        if found is _NOTHING:
            raise Empty()
        return found

    def _take_first(self, listed: deque[str] | None) -> Any:
        folder = Path(self.data_folder_in)
        taken_folder = Path(self.processed_folder)
        while listed:
            name = listed.popleft()
            taken = taken_folder / name
            try:
                os.rename(folder / name, taken)  # one consumer wins; the others move on
            except OSError:
                continue
            try:
                payload = taken.read_bytes()
                message = loads(bytes_to_str(payload))
            except (OSError, ValueError):
                self._set_aside(taken)
                continue
            if not self.store_processed:
                taken.unlink(missing_ok=True)
            return message
        return _NOTHING

    def _set_aside(self, path: Path) -> None:
        rejected = Path(self.processed_folder).parent / "rejected"
        rejected.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, rejected / path.name)
        except OSError:
            path.unlink(missing_ok=True)
        logger.error("An unreadable message was set aside in %s: %s", rejected, path.name)

    # The exchange table (which queues a broadcast reaches) is rewritten whole, under a lock that
    # serialises the writers; readers read a complete file without waiting.

    def get_table(self, exchange: str) -> list:
        try:
            table = json.loads(self._exchange_file(exchange).read_text() or "[]")
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise filesystem.ChannelError(f"Cannot read the table of {exchange!r}") from exc
        return [filesystem.exchange_queue_t(*row) for row in table]

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock():
            queues = self.get_table(exchange)
            if row not in queues:
                queues.insert(0, row)
                write_whole(self._exchange_file(exchange), str_to_bytes(dumps(queues)))

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any
    ) -> None:
        # kombu's rewrites the table in place; the virtual channel's forgets the binding.
        super(filesystem.Channel, self)._delete(
            queue, exchange, routing_key, pattern, *args, **kwargs
        )
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock():
            queues = self.get_table(exchange)
            if row in queues:
                queues.remove(row)
                write_whole(self._exchange_file(exchange), str_to_bytes(dumps(queues)))

    def _table_lock(self) -> _FileLock:
        self.control_folder.mkdir(parents=True, exist_ok=True)
        return _FileLock(self.control_folder / ".lock")


class _FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.handle = open(self.path, "a")
        filesystem.lock(self.handle, filesystem.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        filesystem.unlock(self.handle)
        self.handle.close()


class Transport(filesystem.Transport):
    Channel = Channel


def remove_stale_temporary_files(*folders: str | Path) -> int:
    """Temporary files a killed process left half-written (they are never read)."""
    removed = 0
    limit = time() - STALE_TEMPORARY_SECONDS
    for folder in folders:
        for path in Path(folder).glob(".*.tmp"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
    return removed
