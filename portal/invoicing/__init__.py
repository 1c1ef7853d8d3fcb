"""Invoicing: final sales documents (FS, PA), corrections (KOR) and the rules choosing them."""
