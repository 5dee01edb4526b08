"""The Agora hub: an HTTP service that verifies, stores and serves signed
objects (docs/hub.md)."""
