"""Generated toy worlds that tiny models learn, so their answers can be checked by eye."""
