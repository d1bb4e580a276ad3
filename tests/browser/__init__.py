"""Browser, accessibility and HTML-validity tests that run against a real build of the site.

A package (not loose modules) so the tests can share ``harness`` through a relative import
without putting a generic module name on ``sys.path``.
"""
