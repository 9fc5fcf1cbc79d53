"""Running a scenario: in this process, or in chunks of runs on a Dask cluster (issue 15).

`simulate(scenario, runs=..., seed=...)` computes every run here; `simulate(..., client=client)` splits each
policy's runs into chunks (`chunk_bounds`), computes them on the cluster's workers and combines them in run order.
Both give the same document: run r is seeded from SeedSequence(seed).spawn(runs)[r] wherever it runs.

`local_cluster(workers)` starts a dask.distributed LocalCluster of worker processes (one thread each) and a client
for it, and shuts both down on leaving; `connect(address)` is a client for an existing cluster. Dask is imported
only here and only when used, so one process needs none of it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from buurtbalans.engine.simulation.model import Chunk, prepare, simulate_chunk
from buurtbalans.engine.simulation.result import result_document
from buurtbalans.engine.simulation.scenario import Scenario

# Chunks per worker: enough to keep every worker busy to the end when chunks take unequal time, few enough that
# sending a chunk's arrays back costs little.
CHUNKS_PER_WORKER = 4


def chunk_bounds(runs: int, chunks: int) -> list[tuple[int, int]]:
    """Split runs 0 .. runs - 1 into at most `chunks` consecutive ranges of nearly equal size."""
    chunks = max(1, min(chunks, runs))
    size, extra = divmod(runs, chunks)
    bounds, start = [], 0
    for k in range(chunks):
        stop = start + size + (1 if k < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


def simulate(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    client: Any | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Simulate every policy of the scenario `runs` times and return the result document.

    Args:
        scenario: the checked scenario.
        runs: runs per policy (1 or more).
        seed: the root seed (0 or more).
        client: a dask.distributed Client; None computes here.
        on_progress: called with (runs done, runs in total over all policies).

    Raises:
        SimulationError: a policy could not label a year's vacancies.
    """
    if runs < 1:
        raise ValueError("runs must be 1 or more")
    total = runs * len(scenario.policies)
    if client is None:
        prepared = prepare(scenario)
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if on_progress:
                on_progress(done, total)

        chunks = [simulate_chunk(prepared, p, seed, runs, 0, runs, step) for p in range(len(scenario.policies))]
        return result_document(scenario, runs, seed, chunks)
    return result_document(scenario, runs, seed, _on_cluster(client, scenario, runs, seed, on_progress))


def _on_cluster(client, scenario: Scenario, runs: int, seed: int, on_progress) -> list[Chunk]:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    bounds = chunk_bounds(runs, CHUNKS_PER_WORKER * workers)
    # The scenario travels once to every worker, not once per chunk.
    [remote] = client.scatter([scenario], broadcast=True)
    futures = [
        client.submit(simulate_chunk, remote, p, seed, runs, start, stop, pure=False)
        for p in range(len(scenario.policies))
        for start, stop in bounds
    ]
    chunks: list[Chunk] = []
    done, total = 0, runs * len(scenario.policies)
    try:
        for future in as_completed(futures):
            chunk = future.result()
            chunks.append(chunk)
            done += chunk.stop - chunk.start
            if on_progress:
                on_progress(done, total)
    finally:
        for future in futures:
            future.release()
    return chunks


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A client on a new LocalCluster of `workers` processes with one thread each; both closed on leaving."""
    from distributed import Client, LocalCluster

    _quiet_dask()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


@contextlib.contextmanager
def connect(address: str, *, timeout: float = 30) -> Iterator[Any]:
    """A client on the existing Dask scheduler at `address` (e.g. tcp://10.0.0.5:8786); closed on leaving."""
    from distributed import Client

    _quiet_dask()
    with Client(address, timeout=timeout) as client:
        yield client


def _quiet_dask() -> None:
    # Dask logs its start-up and shut-down at INFO on stderr; the command's stderr is for problems.
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
