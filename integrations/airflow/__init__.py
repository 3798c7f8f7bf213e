"""LineageLens for Apache Airflow 3.

- :mod:`.config` renders the OpenLineage provider settings (``lineagelens airflow-config``).
- :mod:`.plugin` is the Airflow plugin (entry point group ``airflow.plugins``): a nav entry and a tab on every
  DAG page, served by the FastAPI app in :mod:`.app` behind Airflow's authentication.
- :mod:`.client` and :mod:`.views` read the receiver's API and render the pages; they need only the standard
  library, so nothing here imports Airflow until Airflow loads the plugin.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
