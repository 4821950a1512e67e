"""Import target for uvicorn workers: `server.asgi:app`."""

from server.app import create_app
from server.settings import load_settings

app = create_app(load_settings())
