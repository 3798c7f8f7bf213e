"""LineageLens for Apache Spark: settings for the ``openlineage-spark`` listener.

``configure(SparkSession.builder, url=..., api_key=..., namespace=...)`` applies them in Python;
``lineagelens spark-conf`` prints them for spark-submit and spark-defaults.conf.
"""

from __future__ import annotations

import logging

from lineagelens.integrations.spark.config import (
    LISTENER,
    OPENLINEAGE_SPARK_VERSION,
    configure,
    scala_suffix,
    spark_settings,
)

log = logging.getLogger(__name__)

__all__ = ["LISTENER", "OPENLINEAGE_SPARK_VERSION", "configure", "scala_suffix", "spark_settings"]
