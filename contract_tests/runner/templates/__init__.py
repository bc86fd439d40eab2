"""Jinja2 templates of the HTML report (a package so they ship with the distribution)."""
