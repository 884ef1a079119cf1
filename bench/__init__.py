"""The harness behind `make bench`: clientbase's endpoints timed side by side with a baseline."""
