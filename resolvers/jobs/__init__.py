"""Scheduled jobs: the registry (which job, when, which function), the runner (once per slot
across workers, recorded in JobRun) and the tasks (thin calls into the use cases)."""
