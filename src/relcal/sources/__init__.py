"""Where films come from besides the user's own files: TMDB.

``tmdb_mapping`` turns TMDB's records into relcal's films and windows (pure
functions); ``tmdb_client`` is the one HTTP client, the only code in relcal
that touches the network, imported only by ``add``, ``sync`` and ``discover``.
"""
