"""Settings: one module per environment (dev, test, production) on top of base."""
