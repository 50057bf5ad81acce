// Liveness, the pure core: a datanode's state follows only from its last heartbeat and
// `now` (never from its socket closing), with HDFS's stale and dead limits.
import { type Config, deadNodeTimeoutMs } from '../../config/index.js';

export type Liveness = 'live' | 'stale' | 'dead';

export interface LivenessLimits {
  staleAfterMs: number;
  deadAfterMs: number;
}

export function livenessLimitsOf(config: Config): LivenessLimits {
  return { staleAfterMs: config['dfs.namenode.stale.datanode.interval'], deadAfterMs: deadNodeTimeoutMs(config) };
}

export function livenessOf(lastHeartbeatMs: number, now: number, limits: LivenessLimits): Liveness {
  const silentMs = now - lastHeartbeatMs;
  if (silentMs >= limits.deadAfterMs) return 'dead';
  if (silentMs >= limits.staleAfterMs) return 'stale';
  return 'live';
}
