"""The report: what a person reads about one analysis (HTML page, PDF, plots, video, exports)."""
