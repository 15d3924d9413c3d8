"""The portal's pages: signing in, the catalogue, the request from draft to submission, the cabinet."""
