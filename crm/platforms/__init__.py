"""Industrial platforms (产业平台): the catalogue, and later their buildings and units."""
