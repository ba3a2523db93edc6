"""A stateful mock of the Mem0 Platform API in three layers.

`engine/` is the service as plain Python, `api/` translates each API surface's requests
into engine calls and its answers into wire shapes, and `server/` is the spec-driven
HTTP pipeline, the CLI and serving. Each layer imports only the ones below it.
"""
