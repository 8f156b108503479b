"""Speech output (filled in by the desktop-app issue): pyttsx3 with a silent fallback."""
