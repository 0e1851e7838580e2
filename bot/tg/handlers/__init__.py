"""One module per feature; bot.tg.app registers them in order."""
