"""Read, validate and export datasets."""

from karavan.io.geojson import network_geojson, network_layers
from karavan.io.load import TABLE_FILES, load_network, read_tables, validate_dataset

__all__ = ["TABLE_FILES", "load_network", "network_geojson", "network_layers", "read_tables", "validate_dataset"]
