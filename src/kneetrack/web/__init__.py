"""The web app (``kneetrack serve``): FastAPI pages and a JSON API over the application service.

The web layer holds no domain logic: every use case goes through
:mod:`kneetrack.web.services`, a thin adapter over :mod:`kneetrack.app`.
Build the app with :func:`kneetrack.web.app.create_app`.
"""
