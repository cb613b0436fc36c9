# expect: {"*": "zero"}
# family: notebook tampering
# tamper: giant_json
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Hands in a 40 MB notebook.
