"""Operating Dorp: structured logs (logs), Prometheus metrics (metrics), and the platform admin's
view of the job queues and the outboxes (jobs, backlog)."""
