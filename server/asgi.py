"""Import target for uvicorn workers: `server.asgi:app`. Each worker configures its own logs and,
in Prometheus multiprocess mode, leaves the live sums when its lifespan ends."""

from server.app import create_app
from server.logs import configure_logging
from server.metrics import leave_sums_on_shutdown
from server.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level, settings.log_json)
app = leave_sums_on_shutdown(create_app(settings))
