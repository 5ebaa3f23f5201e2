"""检查事项 and 现场检查表: the plugin overview, bureau uploads, the field form and its evidence; the
checklist API."""
