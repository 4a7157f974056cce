"""Scheduled entry points: the `mentorflow` command and `python -m jobs.nightly` for cron."""
