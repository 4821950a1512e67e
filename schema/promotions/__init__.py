"""Marketing API and the campaigns customers see: festivals, campaigns, preview, audit log."""
