"""执法文书: documents of the steps, the template catalogue, the admin's delete and restore."""
