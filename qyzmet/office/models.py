"""The back office keeps no models of its own: what reception keeps is in `qyzmet.intake.paper`."""
