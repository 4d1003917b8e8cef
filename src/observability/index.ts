export { createLogger, redactKeys, silentLogger, type Logger } from './logger.ts';
export {
  ConnectorStats,
  CONNECTOR_STATS_BUCKET_MS,
  CONNECTOR_STATS_FLUSH_MS,
  type ConnectorCallSink,
  type ConnectorStatsOptions,
} from './connector-stats.ts';
