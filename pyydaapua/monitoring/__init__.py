"""What the city's operations see of the running service: health and readiness for the load
balancer, Prometheus metrics, structured logs with a request id, and the audit stream for the
security team's SIEM. Nothing here shows or logs the family's data."""
