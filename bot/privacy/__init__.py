"""Personal data in staff questions: kept out of what the bot stores."""
