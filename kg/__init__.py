"""kg: a knowledge-graph builder for Chinese regional-development news."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``kg.load`` / ``kg.KnowledgeGraph`` without importing networkx on ``import kg``."""
    if name in ("load", "KnowledgeGraph"):
        from kg import explore

        return getattr(explore, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
