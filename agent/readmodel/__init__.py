"""What the read API answers from: projections of the chain events the agent's watcher stored,
plus batched chain views. Nothing here calls Numerai."""
