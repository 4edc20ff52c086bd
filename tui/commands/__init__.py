"""Sub-commands of the ``distscope`` command line; each module has ``register(subparsers)``."""
