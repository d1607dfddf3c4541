"""What may run: authentication, CSRF, cursors, persisted and trusted documents, query limits, the bulkhead."""
