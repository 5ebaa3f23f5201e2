"""立案查处: the case list, the case desk and the case API."""
