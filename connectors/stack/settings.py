"""Where the local stack lives and how to reach it; every value can be overridden by environment.

Defaults are for development only. Ports are unusual on purpose so that the stack does not clash
with a PostgreSQL or Kafka the developer already runs.
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]

# One role and one database per service; the role owns its database.
SERVICES = ("sales", "access", "courses", "notifications")


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    stack_dir: Path
    pg_bin: Path
    pg_host: str
    pg_port: int
    pg_superuser_password: str = field(repr=False)
    db_passwords: dict[str, str] = field(repr=False)
    kafka_port: int
    kafka_controller_port: int
    connect_port: int
    topics: tuple[str, ...] = field(default=("sales.purchase", "sales.purchase.dlq",
                                             "sales.order", "sales.order.dlq",
                                             "sales.order.access-customers.dlq",
                                             "sales.subscription", "sales.subscription.dlq",
                                             "sales.payment", "sales.payment.dlq",
                                             "sales.lead", "sales.order.leads.dlq",
                                             "access.role", "access.role.dlq",
                                             "access.user", "access.user.dlq",
                                             "notifications.dlq"))
    topic_partitions: int = 3

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            stack_dir=Path(env("STACK_DIR", str(REPO_DIR / ".stack"))).resolve(),
            pg_bin=Path(env("PG_BIN", "/usr/lib/postgresql/15/bin")),
            pg_host=env("PG_HOST", "127.0.0.1"),
            pg_port=int(env("PG_PORT", "55432")),
            pg_superuser_password=env("PG_SUPERUSER_PASSWORD", "postgres"),
            db_passwords={s: env(f"{s.upper()}_DB_PASSWORD", s) for s in SERVICES},
            kafka_port=int(env("KAFKA_PORT", "59092")),
            kafka_controller_port=int(env("KAFKA_CONTROLLER_PORT", "59093")),
            connect_port=int(env("CONNECT_PORT", "58083")),
        )

    # Addresses -------------------------------------------------------------------------------
    @property
    def kafka_bootstrap(self) -> str:
        return env("KAFKA_BOOTSTRAP", f"127.0.0.1:{self.kafka_port}")

    @property
    def connect_url(self) -> str:
        return env("CONNECT_URL", f"http://127.0.0.1:{self.connect_port}")

    def conninfo(self, dbname: str = "postgres", user: str = "postgres") -> str:
        """psycopg connection string; the superuser unless a service role is named."""
        password = self.pg_superuser_password if user == "postgres" else self.db_passwords[user]
        return (f"host={self.pg_host} port={self.pg_port} dbname={dbname} user={user} "
                f"password={password} connect_timeout=3")

    def placeholders(self) -> dict[str, str]:
        """Values substituted for ${NAME} in connectors/*.json."""
        values = {
            "PG_HOST": self.pg_host,
            "PG_PORT": str(self.pg_port),
            "KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            # Passwords are not placeholders: connectors name them as ${file:...} references
            # into this file, which Connect resolves without storing the value.
            "CONNECT_SECRETS_FILE": str(self.connect_secrets_file),
        }
        return values

    # Folders ---------------------------------------------------------------------------------
    @property
    def jars_dir(self) -> Path:
        return self.stack_dir / "jars"

    @property
    def kafka_jars(self) -> Path:
        return self.jars_dir / "kafka"

    @property
    def plugins_dir(self) -> Path:
        return self.jars_dir / "plugins"

    @property
    def logs_dir(self) -> Path:
        return self.stack_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.stack_dir / "run"

    @property
    def pg_dir(self) -> Path:
        return self.stack_dir / "pg"

    @property
    def connect_secrets_file(self) -> Path:
        """Where Connect reads the passwords (docker-compose mounts its own at another path)."""
        return Path(env("CONNECT_SECRETS_FILE", str(self.stack_dir / "connect" / "secrets.properties")))

    def log_file(self, component: str) -> Path:
        return self.logs_dir / f"{component}.log"

    def pid_file(self, component: str) -> Path:
        return self.run_dir / f"{component}.pid"


settings = Settings.from_env()
