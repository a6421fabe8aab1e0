"""FastAPI plumbing: dependencies, authentication, CSRF, middleware, templating, error pages."""
