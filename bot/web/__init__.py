"""The web page: the whole report on one page, inside Telegram (a Mini App) or in a browser."""
