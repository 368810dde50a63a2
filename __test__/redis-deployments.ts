/**
 * The Redis deployments `npm test` starts (scripts/with-redis.sh): one server, a TLS-only server
 * whose certificate a private CA signed, and a three-node Redis Cluster on its plaintext and its
 * TLS ports. Multi-process suites run their Redis cases on each, as managed offerings hand them
 * out: a URL, and for a private CA its certificate file.
 */
export interface RedisDeployment {
  name: string;
  url: string;
  tlsCaFile?: string;
}

const env = process.env;
const ca = env.UZGATE_TEST_REDIS_CA_FILE;

export const REDIS_DEPLOYMENTS: RedisDeployment[] = [
  { name: 'redis', url: env.UZGATE_TEST_REDIS_URL },
  { name: 'redis TLS', url: env.UZGATE_TEST_REDIS_TLS_URL, tlsCaFile: ca },
  { name: 'redis cluster', url: env.UZGATE_TEST_REDIS_CLUSTER_URL },
  { name: 'redis cluster TLS', url: env.UZGATE_TEST_REDIS_CLUSTER_TLS_URL, tlsCaFile: ca },
].filter((d): d is RedisDeployment => d.url !== undefined && d.url !== '');

if (REDIS_DEPLOYMENTS.length < 4) {
  console.warn(`SKIPPED Redis cases on: ${['redis', 'redis TLS', 'redis cluster', 'redis cluster TLS'].filter((n) => !REDIS_DEPLOYMENTS.some((d) => d.name === n)).join(', ')} (npm test starts them)`);
}

/** `{ url, tlsCaFile }` of a deployment, as a store's options take them. */
export function redisOptions(d: RedisDeployment): { url: string; tlsCaFile?: string } {
  return d.tlsCaFile === undefined ? { url: d.url } : { url: d.url, tlsCaFile: d.tlsCaFile };
}
