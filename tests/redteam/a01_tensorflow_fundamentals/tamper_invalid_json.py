# expect: {"*": "zero"}
# family: notebook tampering
# tamper: invalid_json
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Hands in bytes that are not JSON.
