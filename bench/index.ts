// `npm run bench`: every benchmark, printed as one JSON object. Performance is measured here,
// never asserted by timed tests.
import fs from 'node:fs'
import { agentBench, CLI_PATH } from './agent'
import { agentFloodBench } from './agent-flood'
import { gatewayBench } from './gateway'
import { gatewayVsBench } from './gateway-vs'
import { ledgerBench } from './ledger'
import { maskingBench } from './masking'
import { vaultBench } from './vault'

async function main() {
  const results: Record<string, unknown> = {
    node: process.versions.node,
    cpus: (await import('node:os')).cpus().length,
    vault: await vaultBench(),
    masking: await maskingBench(),
  }
  // The shared ledger: needs PostgreSQL (TOKENDECK_TEST_POSTGRES, or Debian's postgresql here).
  try {
    results.ledger = await ledgerBench()
  } catch (e) {
    results.ledger = {
      skipped: `shared ledger bench unavailable: ${(e as Error).message.split('\n')[0]}`,
    }
  }
  // Whole CLI processes: needs the built CLI (out/main/cli.js).
  results.agent = fs.existsSync(CLI_PATH)
    ? await agentBench()
    : { skipped: 'run npm run build first' }
  results.agentFlood = fs.existsSync(CLI_PATH)
    ? await agentFloodBench()
    : { skipped: 'run npm run build first' }
  results.gateway = fs.existsSync(CLI_PATH)
    ? await gatewayBench()
    : { skipped: 'run npm run build first' }
  // The gateway against nginx and a bare Node proxy, with wrk as the load generator.
  results.gatewayVs = fs.existsSync(CLI_PATH)
    ? await gatewayVsBench()
    : { skipped: 'run npm run build first' }
  try {
    const { rendererBench } = (await import('./renderer')) as {
      rendererBench: () => Promise<Record<string, number>>
    }
    results.renderer = await rendererBench()
  } catch (e) {
    results.renderer = {
      skipped: `renderer bench unavailable: ${(e as Error).message.split('\n')[0]}`,
    }
  }
  console.log(JSON.stringify(results, null, 2))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
