"""accessguard: keep control of a company's brand social-media accounts."""

__version__ = "0.1.0"
