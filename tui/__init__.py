"""distscope: browse standalone Python distributions without extracting them."""

__version__ = "0.1.0"
