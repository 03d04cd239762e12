"""Blueprints: thin views that parse input, call one library function and return bytes."""
