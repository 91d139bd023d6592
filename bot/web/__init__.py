"""The bot's own web server and the web page it serves.

`server` builds one ASGI app (Starlette) from groups of routes and runs it with uvicorn on the
bot's event loop; `webhook` is the route Telegram posts updates to. The page (the whole report,
inside Telegram as a Mini App or in a browser) is `auth`, `page`, `api` and `static/`.
"""
