"""Global hotkeys that work while another program has focus (no Qt)."""
