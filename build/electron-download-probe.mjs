// Loaded into Electron's own installer (`node --import` by build/electron-binary.mjs): reports
// each download's address and answer, and why one could not be made, on stderr as one JSON line
// after a fixed prefix. The installer itself prints only "fetch failed", without the cause.
// It observes; it changes no request and no answer. (electron-binary.mjs reads the same prefix.)
const PROBE_PREFIX = '[ensure-electron] '

const realFetch = globalThis.fetch

function report(fields) {
  process.stderr.write(`${PROBE_PREFIX}${JSON.stringify(fields)}\n`)
}

globalThis.fetch = async function probedFetch(input, init) {
  const url = String(
    typeof input === 'object' && input !== null && 'url' in input ? input.url : input,
  )
  try {
    const res = await realFetch(input, init)
    report({ url, finalUrl: res.url, status: res.status, statusText: res.statusText })
    return res
  } catch (e) {
    const cause = e?.cause ?? e
    report({
      url,
      code: String(cause?.code ?? cause?.name ?? 'error'),
      detail: String(cause?.message ?? '').slice(0, 200),
    })
    throw e
  }
}
