"""The e-government gateway: how Qyzmet talks to the systems outside it.

Each outside system (the state databases "Individuals" and "Legal entities", the tax
information system, the payment gateway, the bodies that give conclusions) has a client in
`clients/` with a simulator beside it. `QYZMET_GATEWAY_URL` picks the transport: unset, the
simulators run in-process; set, the same simulators are reached over HTTP
(`python -m qyzmet gateway serve`). Every call goes through `transport.py` (timeouts) and
`resilience.py` (retries, circuit breakers), is logged as a `Message`, and every answer of a
state database is kept as a `DataLookup` (see `lookups.py`).
"""
