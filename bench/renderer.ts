// Renderer benchmarks in Chromium, through the e2e harness (built renderer, real main services):
//
// - first render with 1,000 accounts in 50 organizations: the app marks
//   `tokendeck:snapshot-received` when the first snapshot arrives and `tokendeck:accounts-rendered`
//   in the effect after React committed the list; the time between them is the render (median
//   of 5 loads). `load_to_list_ms` is the same mark from navigation start (bundle parse, IPC).
// - main-thread time per countdown tick with 1,000 accounts, every visible row counting down in
//   seconds (the worst case: each tick changes every mounted row's text). Two measures:
//   (a) the tick store's own `tokendeck:tick` measure, from the timer callback until React has
//       committed (it ends in a microtask queued after the store's listeners ran, which runs
//       after React's own sync-lane microtask flush), collected with a PerformanceObserver;
//   (b) Chromium's TaskDuration (all main-thread work: script, style, layout, paint set-up) over
//       a 10 s window on the accounts screen, divided by the ticks in it: an upper bound, since
//       it also holds whatever else ran in that second. For scale, `idle_main_thread_ms_per_s`
//       is the same figure per second on the Settings screen, where no countdown (and no
//       timer) runs; the difference between the two is within this machine's noise. A
//       `longtask` observer counts tasks over 50 ms in the window.
// - JavaScript size: what loads at start (index.html's script and modulepreloads) and all of
//   out/renderer/assets/*.js, raw and gzipped with node:zlib.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import zlib from 'node:zlib'
import { chromium } from '@playwright/test'
import globalSetup from '../tests/e2e/global-setup'
import { Deck } from '../tests/e2e/harness'
import { CHROMIUM_LAUNCH, ensureChromium } from '../tests/e2e/chromium'
import { RENDERER_DIR } from '../tests/e2e/paths'
import { label, seedLargeVault } from '../tests/e2e/seed'

const round = (n: number, digits = 2) => Number(n.toFixed(digits))
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

/**
 * The JavaScript the window loads at start (index.html's script and its modulepreload links) and
 * all of it (lazy chunks too: Settings, Activity), raw and gzipped.
 */
function bundleSize(): { raw: number; gzip: number; startRaw: number; startGzip: number } {
  const dir = path.join(RENDERER_DIR, 'assets')
  const html = fs.readFileSync(path.join(RENDERER_DIR, 'index.html'), 'utf8')
  const atStart = new Set(
    [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]),
  )
  const sum = { raw: 0, gzip: 0, startRaw: 0, startGzip: 0 }
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const bytes = fs.readFileSync(path.join(dir, f))
    const gz = zlib.gzipSync(bytes, { level: 9 }).length
    sum.raw += bytes.length
    sum.gzip += gz
    if (atStart.has(f)) {
      sum.startRaw += bytes.length
      sum.startGzip += gz
    }
  }
  return sum
}

export async function rendererBench(): Promise<Record<string, number>> {
  ensureChromium('bench')
  await globalSetup()
  const browser = await chromium.launch(CHROMIUM_LAUNCH)
  const page = await browser.newPage({ viewport: { width: 1180, height: 760 } })
  const deck = await Deck.start(page)
  try {
    // Tokens expiring in 70 s: during the tick window every row is in its last minute, so each
    // tick changes the text of every mounted row.
    await seedLargeVault(deck.app, 'bench passphrase', 1000, 50, 70_000)
    await deck.open()

    const renders: number[] = []
    const loads: number[] = []
    const snapshots: number[] = []
    const starts: number[] = []
    const asks: number[] = []
    for (let i = 0; i < 5; i++) {
      if (i > 0) await page.reload()
      await page.locator(`[data-account="${label(0)}"]`).waitFor()
      // Page code as strings: tsx would wrap functions in a helper the page does not have.
      const t = (await page.evaluate(`(() => {
        const get = (n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? NaN
        return {
          snapshot: get('tokendeck:snapshot-received'),
          rendered: get('tokendeck:accounts-rendered'),
          start: get('tokendeck:app-start'),
          asked: get('tokendeck:snapshot-asked'),
        }
      })()`)) as { snapshot: number; rendered: number; start: number; asked: number }
      renders.push(t.rendered - t.snapshot)
      loads.push(t.rendered)
      snapshots.push(t.snapshot)
      starts.push(t.start)
      asks.push(t.snapshot - t.asked)
    }
    const rows = await page.locator('[data-account]').count()

    // Wait until the rows count down in seconds, then observe a 10 s window.
    await page.locator('[data-testid="countdown"]', { hasText: / s$/ }).first().waitFor()
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const taskSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics')
      return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0
    }
    await page.evaluate(`(() => {
      window.__ticks = []
      window.__long = 0
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.name === 'tokendeck:tick') window.__ticks.push(e.duration)
      }).observe({ type: 'measure' })
      new PerformanceObserver((list) => {
        window.__long += list.getEntries().length
      }).observe({ type: 'longtask' })
    })()`)
    const task0 = await taskSeconds()
    await page.waitForTimeout(10_000)
    const task1 = await taskSeconds()
    const { ticks, long } = (await page.evaluate(
      '({ ticks: window.__ticks, long: window.__long })',
    )) as { ticks: number[]; long: number }
    const secondsShown = await page.locator('[data-testid="countdown"]', { hasText: / s$/ }).count()
    // Baseline: the same window on the Settings screen, where no countdown runs (no timer).
    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    await page.waitForTimeout(500)
    const idle0 = await taskSeconds()
    await page.waitForTimeout(10_000)
    const idle1 = await taskSeconds()
    const idleMs = (idle1 - idle0) * 1000
    const size = bundleSize()
    return {
      accounts: 1000,
      organizations: 50,
      rows_in_dom: rows,
      first_render_1000_accounts_ms_median: round(median(renders)),
      load_to_list_1000_accounts_ms_median: round(median(loads)),
      load_to_snapshot_1000_accounts_ms_median: round(median(snapshots)),
      load_to_app_start_ms_median: round(median(starts)),
      snapshot_ask_to_answer_1000_accounts_ms_median: round(median(asks)),
      tick_rows_changing_per_tick: secondsShown,
      tick_count_in_10s: ticks.length,
      tick_react_commit_ms_p50: round(percentile(ticks, 50), 3),
      tick_react_commit_ms_p95: round(percentile(ticks, 95), 3),
      tick_main_thread_ms_per_tick_upper_bound: round(
        ((task1 - task0) * 1000) / Math.max(1, ticks.length),
        3,
      ),
      idle_main_thread_ms_per_s: round(idleMs / 10, 3),
      long_tasks_in_10s: long,
      bundle_js_bytes: size.raw,
      bundle_js_gzip_kib: round(size.gzip / 1024, 1),
      start_js_bytes: size.startRaw,
      start_js_gzip_kib: round(size.startGzip / 1024, 1),
    }
  } finally {
    await deck.finish('bench').catch(() => {})
    await browser.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rendererBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
