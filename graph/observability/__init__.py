"""What it tells operators: structured logs, Prometheus metrics, OpenTelemetry traces, garbage collector tuning."""
