"""The portal keeps nothing of its own to administer: drafts and submissions are the online
intake's (`qyzmet.intake.online.admin`), notices are `qyzmet.notifications`'."""
