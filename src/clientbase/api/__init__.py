"""The API plumbing every endpoint shares."""
