"""supervisord's config file, written from the programs of programs.py on every `up`."""
import re

from connectors.stack.settings import REPO_DIR, Settings

# A program that dies while RUNNING is restarted at once; one that dies within START_SECONDS of
# its start waits 1 s, then 2 s, ... (supervisord's backoff) and is given up (FATAL) after
# START_RETRIES such quick deaths in a row: a crash loop needs a person, not a busy CPU.
START_SECONDS = 3
START_RETRIES = 20
LOG_MAX_BYTES = "10MB"
LOG_BACKUPS = 5

def config_path(settings: Settings):
    return settings.run_dir / "supervisord.conf"


def socket_path(settings: Settings):
    return settings.run_dir / "supervisor.sock"


def main_log(settings: Settings):
    return settings.logs_dir / "supervisord.log"


def render(settings: Settings, programs) -> str:
    run, logs = settings.run_dir, settings.logs_dir
    sections = [f"""; Written by connectors/stack/supervisor.py on each `up`; edits are lost.
; checkout: {REPO_DIR}
[unix_http_server]
file={socket_path(settings)}
chmod=0700

[supervisord]
logfile={main_log(settings)}
logfile_maxbytes={LOG_MAX_BYTES}
logfile_backups={LOG_BACKUPS}
pidfile={run / 'supervisord.pid'}
directory={REPO_DIR}
; Our programs log to their own files; keep supervisord's own log about them.
loglevel=info
minfds=4096

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{socket_path(settings)}
"""]
    for priority, program in enumerate(programs, start=1):
        argv = " ".join(quote(arg) for arg in program.command(settings))
        # STACK_DIR explicitly: the apps keep files there (metrics of the gunicorn workers).
        variables = {"STACK_DIR": str(settings.stack_dir), **program.environment}
        environment = ",".join(f'{k}="{v}"' for k, v in variables.items())
        # A program run as another user (PostgreSQL as `postgres`) starts in the stack folder,
        # which that user can enter; the checkout may sit in a folder closed to it (CI).
        directory = settings.stack_dir if program.user else REPO_DIR
        sections.append(f"""[program:{program.name}]
command={argv}
directory={directory}
priority={priority * 10}
autostart=false
autorestart=true
startsecs={START_SECONDS}
startretries={START_RETRIES}
stopsignal={program.stop_signal}
stopwaitsecs={program.stop_wait}
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={logs / (program.name + '.log')}
stdout_logfile_maxbytes={LOG_MAX_BYTES}
stdout_logfile_backups={LOG_BACKUPS}
{f'user={program.user}' if program.user else ''}
{f'environment={environment}' if environment else ''}
""")
    return "\n".join(sections)


def quote(arg: str) -> str:
    """supervisord splits `command` like a shell (shlex) and expands %(...)s."""
    arg = arg.replace("%", "%%")
    return arg if re.fullmatch(r"[\w@%+=:,./*()-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"
