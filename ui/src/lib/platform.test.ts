import { describe, expect, it } from 'vitest';
import { integrationOf, namespaceScheme, platformOf } from './platform';

describe('platformOf', () => {
  it('reads the scheme of a dataset namespace', () => {
    expect(platformOf('dataset', 'postgres://db.internal:5432')).toBe('postgres');
    expect(platformOf('dataset', 'postgresql://db:5432')).toBe('postgres');
    expect(platformOf('dataset', 'mysql://db:3306')).toBe('mysql');
    expect(platformOf('dataset', 'bigquery')).toBe('bigquery');
    expect(platformOf('dataset', 'snowflake://org-account')).toBe('snowflake');
    expect(platformOf('dataset', 's3://bucket')).toBe('s3');
    expect(platformOf('dataset', 's3a://bucket')).toBe('s3');
    expect(platformOf('dataset', 'gs://bucket')).toBe('gcs');
    expect(platformOf('dataset', 'abfss://container@account.dfs.core.windows.net')).toBe('azure');
    expect(platformOf('dataset', 'hdfs://namenode:8020')).toBe('hdfs');
    expect(platformOf('dataset', 'file')).toBe('file');
    expect(platformOf('dataset', 'kafka://broker:9092')).toBe('kafka');
    expect(platformOf('dataset', 'weird-namespace')).toBe('generic');
  });

  it('names jobs after the integration that reported them, else their namespace', () => {
    expect(platformOf('job', 'default', 'AIRFLOW')).toBe('airflow');
    expect(platformOf('job', 'default', 'spark')).toBe('spark');
    expect(platformOf('job', 'airflow-prod')).toBe('airflow');
    expect(platformOf('job', 'spark_dataproc')).toBe('spark');
    expect(platformOf('job', 'default')).toBe('generic');
  });

  it('finds the scheme and the integration facet', () => {
    expect(namespaceScheme('Postgres://H:1')).toBe('postgres');
    expect(namespaceScheme('bigquery')).toBe('bigquery');
    expect(integrationOf({ jobType: { integration: 'DBT', jobType: 'MODEL' } })).toBe('DBT');
    expect(integrationOf({})).toBeNull();
    expect(integrationOf(null)).toBeNull();
  });
});
