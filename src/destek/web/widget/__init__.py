"""The web chat widget: the embeddable loader (/widget.js), the chat page (/widget/{token}) and a demo."""
