"""The Pinghu demo: the facts of shared/data/FACTS.md, and illustrative (示例) data where the
article gives no figure — generated deterministically and marked as such, never as fact."""
