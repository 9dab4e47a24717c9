"""Command-line interface (typer + rich). One module per command; all call ``kneetrack.app``."""
