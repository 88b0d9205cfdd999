// The bare proxy the gateway is compared with (bench/gateway-vs.ts): node:http in, undici out,
// one header added, bodies piped, nothing checked or logged. The floor for a Node proxy.
// Usage: node bench/bare-proxy.mjs UPSTREAM_ORIGIN HEADER_VALUE   (prints {"origin": ...})
import http from 'node:http'
import { Agent } from 'undici'

const [upstream, authorization] = process.argv.slice(2)
const agent = new Agent({ connections: 128, keepAliveTimeout: 4_000 })

const server = http.createServer(async (req, res) => {
  const headers = { ...req.headers, authorization }
  delete headers.host
  delete headers.connection
  try {
    const r = await agent.request({ origin: upstream, path: req.url, method: req.method, headers })
    res.writeHead(r.statusCode, r.headers)
    r.body.pipe(res)
  } catch {
    res.writeHead(502).end()
  }
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ origin: `http://127.0.0.1:${server.address().port}` }))
})
