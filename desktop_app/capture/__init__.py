"""Screen capture (the desktop-app issue fills this in): monitors, windows and regions."""
