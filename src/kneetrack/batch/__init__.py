"""Batch analysis of many videos: jobs, a resumable status file, local and Ray engines, summary."""

from kneetrack.batch.jobs import BatchStatus, Job, Outcome, discover_inputs, plan_jobs

__all__ = ["BatchStatus", "Job", "Outcome", "discover_inputs", "plan_jobs"]
