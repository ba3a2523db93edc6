"""The API surfaces: each module translates one surface's requests into engine calls and
the engine's answers into that surface's wire shapes. `registry.handlers()` lists them."""
