"""Import target for uvicorn workers: `server.asgi:app`. Each worker configures its own logs and,
in Prometheus multiprocess mode, leaves the live sums when it exits."""

from server.app import create_app
from server.logs import configure_logging
from server.metrics import mark_dead_on_exit
from server.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level, settings.log_json)
mark_dead_on_exit()
app = create_app(settings)
