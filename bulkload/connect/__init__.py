"""Amazon Connect as bulkload sees it: the service model, the client, error classification, preflight."""
