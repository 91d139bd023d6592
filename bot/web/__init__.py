"""The bot's own web server: one ASGI app (Starlette) served by uvicorn on the bot's event loop.

`server` builds the app from groups of routes and runs it beside the Application; `webhook`
is the route Telegram posts updates to. A later web page adds its routes to the same app.
"""
