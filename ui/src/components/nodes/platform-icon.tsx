// Small inline SVG icons per platform (lib/platform.ts), drawn in the platform's colour: databases as a
// cylinder with a monogram, object stores as a bucket, file systems as a folder, Kafka as a stream,
// Airflow as a pinwheel, Spark as a star, Snowflake as a flake. No icon font, no network.
import type { ReactNode } from 'react';
import { PLATFORM_LABEL, type Platform } from '../../lib/platform';

type Glyph = 'db' | 'bucket' | 'folder' | 'stream' | 'pinwheel' | 'star' | 'flake' | 'cube' | 'leaf';

const LOOK: Record<Exclude<Platform, 'generic'>, { color: string; glyph: Glyph; mark?: string }> = {
  postgres: { color: '#336791', glyph: 'db', mark: 'Pg' },
  mysql: { color: '#00758f', glyph: 'db', mark: 'My' },
  mssql: { color: '#a91d22', glyph: 'db', mark: 'MS' },
  oracle: { color: '#c74634', glyph: 'db', mark: 'Or' },
  redshift: { color: '#8c4fff', glyph: 'db', mark: 'Rs' },
  trino: { color: '#dd00a1', glyph: 'db', mark: 'Tr' },
  hive: { color: '#c9a400', glyph: 'db', mark: 'Hv' },
  databricks: { color: '#ff3621', glyph: 'db', mark: 'Db' },
  bigquery: { color: '#4285f4', glyph: 'db', mark: 'BQ' },
  mongodb: { color: '#13aa52', glyph: 'leaf' },
  snowflake: { color: '#29b5e8', glyph: 'flake' },
  s3: { color: '#e25444', glyph: 'bucket' },
  gcs: { color: '#4285f4', glyph: 'bucket' },
  azure: { color: '#0078d4', glyph: 'bucket' },
  hdfs: { color: '#66ccff', glyph: 'folder' },
  file: { color: '#64748b', glyph: 'folder' },
  kafka: { color: '#231f20', glyph: 'stream' },
  airflow: { color: '#017cee', glyph: 'pinwheel' },
  spark: { color: '#e25a1c', glyph: 'star' },
  dbt: { color: '#ff694b', glyph: 'cube' },
  flink: { color: '#e6526f', glyph: 'stream' },
};

function glyph(kind: Glyph, color: string, mark?: string): ReactNode {
  const stroke = { fill: 'none', stroke: color, strokeWidth: 1.8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
  switch (kind) {
    case 'db':
      return (
        <>
          <ellipse cx="12" cy="5" rx="8" ry="2.8" {...stroke} />
          <path d="M4 5v14c0 1.6 3.6 2.8 8 2.8s8-1.2 8-2.8V5" {...stroke} />
          {mark ? <text x="12" y="16.2" textAnchor="middle" fontSize="7.5" fontWeight="700" fill={color} fontFamily="system-ui, sans-serif">{mark}</text> : null}
        </>
      );
    case 'bucket':
      return (
        <>
          <ellipse cx="12" cy="6" rx="8" ry="2.6" {...stroke} />
          <path d="M4 6l2 12.5c.3 1.6 2.9 2.7 6 2.7s5.7-1.1 6-2.7L20 6" {...stroke} />
          <path d="M7.2 13c1.3.7 2.9 1 4.8 1s3.5-.3 4.8-1" {...stroke} />
        </>
      );
    case 'folder':
      return <path d="M3 7a2 2 0 0 1 2-2h4l2 2.5h8a2 2 0 0 1 2 2V18a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" {...stroke} />;
    case 'stream':
      return (
        <>
          <circle cx="6" cy="12" r="2.2" {...stroke} />
          <circle cx="18" cy="6" r="2.2" {...stroke} />
          <circle cx="18" cy="18" r="2.2" {...stroke} />
          <path d="M8 11l8-4M8 13l8 4" {...stroke} />
        </>
      );
    case 'pinwheel':
      return (
        <>
          <path d="M12 12C12 7 9 4 6.5 4.5 5 5 6 9 12 12z" fill={color} />
          <path d="M12 12c5 0 8-3 7.5-5.5C19 5 15 6 12 12z" fill={color} opacity="0.75" />
          <path d="M12 12c0 5 3 8 5.5 7.5 1.5-.5.5-4.5-5.5-7.5z" fill={color} />
          <path d="M12 12c-5 0-8 3-7.5 5.5.5 1.5 4.5.5 7.5-5.5z" fill={color} opacity="0.75" />
        </>
      );
    case 'star':
      return <path d="M12 2.5l2.4 6.6 6.9.4-5.4 4.3 1.8 6.7L12 16.6l-5.7 3.9 1.8-6.7-5.4-4.3 6.9-.4z" fill={color} />;
    case 'flake':
      return (
        <g {...stroke}>
          <path d="M12 2.5v19M3.8 7.2l16.4 9.6M3.8 16.8l16.4-9.6" />
          <path d="M9.5 4l2.5 2.2L14.5 4M9.5 20l2.5-2.2 2.5 2.2" />
        </g>
      );
    case 'cube':
      return (
        <g {...stroke}>
          <path d="M12 2.8l8 4.4v9.6l-8 4.4-8-4.4V7.2z" />
          <path d="M4 7.2l8 4.5 8-4.5M12 11.7v9.5" />
        </g>
      );
    case 'leaf':
      return <path d="M12 2.5c3.5 3.3 5 6.7 4.5 10.2-.4 2.9-2.3 5.2-4.5 6.8-2.2-1.6-4.1-3.9-4.5-6.8C7 9.2 8.5 5.8 12 2.5zM12 19.5v2.3" fill="none" stroke={color} strokeWidth="1.8" strokeLinecap="round" />;
  }
}

/** The platform's icon, or null for `generic` (the caller falls back to the kind's glyph). */
export function PlatformIcon({ platform, size = 18 }: { platform: Platform; size?: number }) {
  if (platform === 'generic') return null;
  const look = LOOK[platform];
  return (
    <svg className="platform-icon" width={size} height={size} viewBox="0 0 24 24" role="img" aria-label={PLATFORM_LABEL[platform]} data-platform={platform}>
      <title>{PLATFORM_LABEL[platform]}</title>
      {glyph(look.glyph, look.color, look.mark)}
    </svg>
  );
}
