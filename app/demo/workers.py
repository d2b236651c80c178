"""Batches of demo rows, oldest customers first: generated here for a small load, by worker
processes for a big one (so that building rows in Python and storing them use both cores)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue as queues
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .generator import Generator
from .pools import Pools, build_pools
from .rows import Batch

WORKERS = 2


@dataclass(frozen=True)
class Plan:
    """What a load makes; passed whole to the workers (a spawned process re-imports the
    modules, so it must not depend on their globals)."""

    count: int
    seed: int
    batch_size: int
    pool_size: int
    history_share: float  # share of customers whose create and edit events are written
    bulk: bool  # a big load: indexes and triggers are set aside while loading
    parallel: bool

    def slices(self) -> list[tuple[int, int]]:
        size = self.batch_size
        return [(start, min(size, self.count - start)) for start in range(0, self.count, size)]


def generate(
    plan: Plan,
    pools: Pools,
    taken_ids: set[str],
    now: dt.datetime,
    worker: int = 0,
    workers: int = 1,
) -> Iterator[Batch]:
    """Batches ``worker``, ``worker + workers``, ... of the load."""
    generator = Generator(
        random.Random(f"{plan.seed}/{worker}/{workers}"),
        pools,
        now,
        taken_ids,
        history_share=plan.history_share,
        id_stride=workers,
        id_offset=worker,
    )
    for start, size in plan.slices()[worker::workers]:
        yield generator.batch(generator.times(start, size, plan.count))


def _worker(
    inbox: Any,
    queue: Any,
    plan: Plan,
    taken_ids: set[str],
    now: dt.datetime,
    worker: int,
    workers: int,
) -> None:
    """Runs in a child process: generate batches while the parent writes earlier ones. The
    parent builds the pools while this process starts, and sends them."""
    try:
        pools = inbox.get()
        for batch in generate(plan, pools, taken_ids, now, worker, workers):
            queue.put(batch)
        queue.put(None)
    except BaseException as exc:  # pragma: no cover - reported to the parent
        queue.put(exc)


def _next(queue: Any, process: Any) -> Any:
    """The worker's next item; an error if it died without saying why."""
    while True:
        try:
            return queue.get(timeout=1)
        except queues.Empty:
            if process.is_alive():
                continue
        try:  # it may have sent its last item just before it stopped
            return queue.get(timeout=1)
        except queues.Empty:
            raise RuntimeError(f"{process.name} stopped (exit code {process.exitcode})") from None


def batches(plan: Plan, taken_ids: set[str]) -> Iterator[Batch]:
    """The load's batches in order."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not plan.parallel:
        yield from generate(plan, build_pools(plan.seed, plan.pool_size), taken_ids, now)
        return
    context = multiprocessing.get_context("spawn")
    inboxes = [context.Queue() for _ in range(WORKERS)]
    channels = [context.Queue(maxsize=3) for _ in range(WORKERS)]
    processes = [
        context.Process(
            target=_worker,
            args=(inbox, channel, plan, taken_ids, now, worker, WORKERS),
            name=f"seed-generator-{worker}",
            daemon=True,
        )
        for worker, (inbox, channel) in enumerate(zip(inboxes, channels, strict=True))
    ]
    for process in processes:
        process.start()
    try:
        pools = build_pools(plan.seed, plan.pool_size)
        for inbox in inboxes:
            inbox.put(pools)
        for index in range(len(plan.slices())):
            item = _next(channels[index % WORKERS], processes[index % WORKERS])
            if isinstance(item, BaseException):
                raise item
            if item is None:  # pragma: no cover - a worker stopped early
                raise RuntimeError("a seed worker stopped before its last batch")
            yield item
        for channel, process in zip(channels, processes, strict=True):
            _next(channel, process)  # the end marker
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        for channel in channels + inboxes:
            channel.close()
