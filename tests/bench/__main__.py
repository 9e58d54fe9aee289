"""`make bench`: the pgbench ceiling, end-to-end rate and latency, and the consumer drain, in one run."""
from tests.bench.cli import entrypoint

entrypoint()
