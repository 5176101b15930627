"""Everything Numerai: a client that reaches it only through numerapi (`client`), and an offline
Numerai for local stacks and tests (`simulator`)."""
