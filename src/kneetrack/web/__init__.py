"""The web app: FastAPI pages and JSON API over the application services."""
