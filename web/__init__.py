"""The aiohttp application and the ``hotline`` command: composition root, settings,
JSON API, WebSocket of live events, the wallboard page."""
