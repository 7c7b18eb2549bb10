"""The tests of the bundled app, run once per storage engine."""
