"""Sources: user-managed nodes for data systems (a Postgres, an Airflow, a Kafka ...), with source types
from plugins, real connection tests behind a network guard, and a status history."""
