"""Kafka 4.1 in KRaft mode: one node acting as broker and controller."""
import base64
import logging
import os

from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource,
                                   NewTopic)

from connectors.stack import jvm
from connectors.stack.procs import StackError, port_in_use, run, say
from connectors.stack.settings import Settings

MAIN_CLASS = "kafka.Kafka"

# librdkafka logs every refused connection while the broker boots; readiness polling expects those.
_quiet = logging.getLogger("connectors.stack.kafka.client")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


def server_properties(settings: Settings) -> str:
    kafka, controller = settings.kafka_port, settings.kafka_controller_port
    return f"""# Written by connectors/stack/kafka.py on each start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller}
listeners=PLAINTEXT://127.0.0.1:{kafka},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=PLAINTEXT://127.0.0.1:{kafka},CONTROLLER://127.0.0.1:{controller}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs={settings.stack_dir / 'kafka' / 'data'}
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# Fewer internal partitions than the default 50: faster first start on a small machine.
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# After a crash the controller (this same process) refuses the broker's new registration until
# the old one's session expires: 9 s by default, most of a SIGKILLed broker's downtime here.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
"""


def new_cluster_id() -> str:
    """16 random bytes, URL-safe base64 without padding (22 characters), like `kafka-storage
    random-uuid`; one starting with '-' would be read as a command-line option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def format_once(settings: Settings, config) -> None:
    """Format the log dir on first start only. The quorum's voter (this node's controller
    address) is recorded at format time: after changing KAFKA_CONTROLLER_PORT delete
    STACK_DIR/kafka/data and start again."""
    if (settings.stack_dir / "kafka" / "data" / "meta.properties").exists():
        return
    cluster_id = new_cluster_id()
    say(f"kafka: formatting log dir, cluster id {cluster_id}")
    run(jvm.java_command(settings, "kafka.tools.StorageTool", config.parent / "log4j2.properties",
                         "format", "--standalone", "-t", cluster_id, "-c", str(config)),
        "kafka storage format")


def admin(settings: Settings) -> AdminClient:
    return AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "logger": _quiet,
                        "socket.connection.setup.timeout.ms": 2000})


def answers(settings: Settings) -> bool:
    if not port_in_use(settings.kafka_port):
        return False
    try:
        admin(settings).list_topics(timeout=2)
        return True
    except Exception:  # KafkaException while the broker is still starting
        return False


def prepare(settings: Settings) -> None:
    """Write the broker's config (each start, so changed ports take effect); format once."""
    folder = settings.stack_dir / "kafka"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "server.properties"
    config.write_text(server_properties(settings))
    jvm.write_log4j(folder / "log4j2.properties")
    format_once(settings, config)


def command(settings: Settings) -> list[str]:
    folder = settings.stack_dir / "kafka"
    return jvm.java_command(settings, MAIN_CLASS, folder / "log4j2.properties",
                            str(folder / "server.properties"))


# The application topics' settings. Consumers derive how long their inbox keeps event ids
# from retention.ms + segment.ms (outbox/inbox.py), so these bound the inbox's size too.
# LogAppendTime: a message's timestamp is when the broker appended it, which the benchmark
# uses to split latency into "commit -> Kafka" and "Kafka -> applied".
TOPIC_CONFIG = {
    "retention.ms": str(7 * 24 * 3600 * 1000),
    "segment.ms": str(24 * 3600 * 1000),
    "message.timestamp.type": "LogAppendTime",
}
# Per-topic exceptions to TOPIC_CONFIG.
# access.role is kept forever: a consumer (the course-access projection) must be able to rebuild
# its state from the topic alone at any time, and each event carries only the change of one role
# of one user, so every event since the first is needed. Compaction cannot replace this: the key
# is the user and a user's roles are several, so keeping a key's last event would lose the others.
# Its size grows with role changes (a few per purchase), which is small.
# access.user is kept forever for the same reason: a new reader (or the sales copy of the
# customers, rebuilt) takes every user from the topic alone. Each event holds a user's whole
# record, so compaction by key would also do; one rule for both access topics is simpler, and
# its size grows with name changes only.
TOPIC_OVERRIDES = {
    "access.role": {"retention.ms": "-1"},
    "access.user": {"retention.ms": "-1"},
}


def topic_config(topic: str) -> dict[str, str]:
    return {**TOPIC_CONFIG, **TOPIC_OVERRIDES.get(topic, {})}


def ensure_topics(settings: Settings) -> None:
    """Create the application topics up front so their partition count is deliberate, and
    keep their settings in step with topic_config()."""
    client = admin(settings)
    existing = set(client.list_topics(timeout=10).topics)
    missing = [t for t in settings.topics if t not in existing]
    futures = client.create_topics(
        [NewTopic(t, num_partitions=settings.topic_partitions, replication_factor=1,
                  config=topic_config(t)) for t in missing]) if missing else {}
    for topic, future in futures.items():
        try:
            future.result(timeout=30)
        except Exception as error:
            if "TOPIC_ALREADY_EXISTS" not in str(error):
                raise StackError(f"creating topic {topic} failed: {error}") from error
    present = [t for t in settings.topics if t in existing]
    if present:
        resources = [ConfigResource(ConfigResource.Type.TOPIC, t, incremental_configs=[
            ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
            for k, v in topic_config(t).items()]) for t in present]
        for resource, future in client.incremental_alter_configs(resources).items():
            try:
                future.result(timeout=30)
            except Exception as error:
                raise StackError(f"setting {resource.name}'s config failed: {error}") from error
    created = f"created {', '.join(missing)}" if missing else "all present"
    say(f"kafka: topics {', '.join(settings.topics)}: {created}")
