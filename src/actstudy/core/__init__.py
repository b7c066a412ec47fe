"""The foundation every stage shares: what the config asks for (``config``: networks,
run grids, readings), the activation functions (``activations``), where results live
(``paths``), checked reads and atomic writes (``io``, with the columns of every table in
``formats``), job logging (``logs``) and where results came from (``provenance``).
Imports nothing of the other stages."""
