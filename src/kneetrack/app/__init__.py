"""Application services: what the CLI and the web app call. One module per use case."""
