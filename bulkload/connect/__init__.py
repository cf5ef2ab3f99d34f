"""Amazon Connect as bulkload sees it: the service model, the client factory and error classification."""
