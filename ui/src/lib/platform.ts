// Which platform a node lives on, from its namespace (the OpenLineage naming spec puts the scheme
// there: `postgres://host:5432`, `s3://bucket`, `bigquery`, `kafka://broker:9092` …) and, for jobs, the
// integration that reported it (the `jobType` facet: AIRFLOW, SPARK, DBT …). The card shows the
// platform's icon (components/nodes/platform-icon.tsx). Pure.
import type { NodeKind } from '../types/graph';

export type Platform =
  | 'postgres' | 'mysql' | 'mssql' | 'oracle' | 'redshift' | 'bigquery' | 'snowflake' | 'databricks' | 'trino' | 'hive'
  | 'mongodb' | 's3' | 'gcs' | 'azure' | 'hdfs' | 'file' | 'kafka' | 'airflow' | 'spark' | 'dbt' | 'flink' | 'generic';

export const PLATFORM_LABEL: Record<Platform, string> = {
  postgres: 'PostgreSQL', mysql: 'MySQL', mssql: 'SQL Server', oracle: 'Oracle', redshift: 'Redshift', bigquery: 'BigQuery',
  snowflake: 'Snowflake', databricks: 'Databricks', trino: 'Trino', hive: 'Hive', mongodb: 'MongoDB', s3: 'Amazon S3',
  gcs: 'Google Cloud Storage', azure: 'Azure Storage', hdfs: 'HDFS', file: 'Local files', kafka: 'Kafka', airflow: 'Airflow',
  spark: 'Spark', dbt: 'dbt', flink: 'Flink', generic: '',
};

const SCHEMES: Record<string, Platform> = {
  postgres: 'postgres', postgresql: 'postgres', mysql: 'mysql', mariadb: 'mysql', mssql: 'mssql', sqlserver: 'mssql',
  oracle: 'oracle', redshift: 'redshift', bigquery: 'bigquery', snowflake: 'snowflake', databricks: 'databricks',
  trino: 'trino', presto: 'trino', hive: 'hive', mongodb: 'mongodb', 'mongodb+srv': 'mongodb', s3: 's3', s3a: 's3',
  s3n: 's3', gs: 'gcs', gcs: 'gcs', abfss: 'azure', abfs: 'azure', wasbs: 'azure', wasb: 'azure', adl: 'azure',
  azurecosmos: 'azure', hdfs: 'hdfs', file: 'file', kafka: 'kafka', airflow: 'airflow', spark: 'spark', dbt: 'dbt',
  flink: 'flink',
};

/** The scheme of a namespace: `postgres://h:5432` → postgres, `bigquery` → bigquery, `file` → file. */
export function namespaceScheme(namespace: string): string {
  const ns = namespace.trim().toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*):/.exec(ns);
  if (m) return m[1]!;
  return ns;
}

const INTEGRATIONS: Record<string, Platform> = { AIRFLOW: 'airflow', SPARK: 'spark', DBT: 'dbt', FLINK: 'flink' };

/** The platform of a node. `integration` is a job's `jobType.integration` facet, when known. */
export function platformOf(kind: NodeKind, namespace: string, integration?: string | null): Platform {
  if (kind === 'source') return 'generic';
  if (kind === 'job') {
    const fromFacet = integration ? INTEGRATIONS[integration.toUpperCase()] : undefined;
    if (fromFacet) return fromFacet;
    const ns = namespace.toLowerCase();
    for (const word of ['airflow', 'spark', 'dbt', 'flink'] as const) if (ns.includes(word)) return word;
    return 'generic';
  }
  return SCHEMES[namespaceScheme(namespace)] ?? 'generic';
}

/** A job's `jobType.integration` facet from the Marquez job object (or null). */
export function integrationOf(facets: unknown): string | null {
  if (!facets || typeof facets !== 'object') return null;
  const jobType = (facets as Record<string, unknown>).jobType;
  if (!jobType || typeof jobType !== 'object') return null;
  const integration = (jobType as Record<string, unknown>).integration;
  return typeof integration === 'string' ? integration : null;
}
