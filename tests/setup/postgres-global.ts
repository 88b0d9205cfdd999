// Vitest global setup: one throwaway PostgreSQL cluster for the whole run when none is given
// (TOKENDECK_TEST_POSTGRES: what .ci/run starts), so the shared ledger's tests have a real
// database on a developer's machine too (Debian's postgresql). The test workers inherit the URL;
// the cluster is stopped and removed when the run ends.
import { POSTGRES_INSTALLED, startCluster } from '../helpers/postgres'

export default function setup(): (() => void) | undefined {
  if (process.env.TOKENDECK_TEST_POSTGRES || !POSTGRES_INSTALLED) return undefined
  const cluster = startCluster()
  process.env.TOKENDECK_TEST_POSTGRES = cluster.url
  return () => cluster.stop()
}
