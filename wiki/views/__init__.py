"""The core's blueprints; ``wiki.core`` registers them through the plugin hooks."""
