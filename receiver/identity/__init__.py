"""The identity console: likely duplicate datasets, external sources, and merge rules applied in the background."""
