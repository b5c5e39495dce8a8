"""kg: a knowledge-graph builder for Chinese regional-development news."""

__version__ = "0.1.0"
