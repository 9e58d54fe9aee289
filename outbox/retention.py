"""How long a consumer's inbox must remember event ids, read from its topics' settings."""
import logging
from datetime import timedelta

from confluent_kafka.admin import AdminClient, ConfigResource

from outbox.inbox import inbox_window

log = logging.getLogger(__name__)


def inbox_window_for(bootstrap: str, topics: list[str], timeout_s: float = 10) -> timedelta | None:
    """The longest window any of `topics` needs; None (keep forever) if one keeps messages
    forever or its settings cannot be read: never purge on a guess."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resources = [ConfigResource(ConfigResource.Type.TOPIC, t) for t in topics]
    windows = []
    for resource, future in admin.describe_configs(resources).items():
        try:
            entries = future.result(timeout_s)
        except Exception as error:  # e.g. the topic does not exist yet
            log.warning("cannot read the retention of %s (%s): the inbox is not purged",
                        resource.name, error)
            return None
        window = inbox_window(int(entries["retention.ms"].value), int(entries["segment.ms"].value))
        if window is None:
            return None
        windows.append(window)
    return max(windows) if windows else None
